use clap::Parser;

fn main() -> std::process::ExitCode {
    ombud::allocator::fix_mmap_threshold();
    actix_web::rt::System::new().block_on(run())
}

async fn run() -> std::process::ExitCode {
    ombud::telemetry::init();
    let cli = ombud::cli::Cli::parse();
    match ombud::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
