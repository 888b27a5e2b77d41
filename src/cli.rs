//! The command line: `serve` (default), `migrate`, `openapi`, `users create`, `demo`.
