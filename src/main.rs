use clap::Parser;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
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
