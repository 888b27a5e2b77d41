//! Serving the OpenAPI document.

use actix_web::{HttpResponse, web};

/// The served document, rendered once at start.
pub struct SpecJson(pub String);

/// `GET /api/v1/openapi.json`.
pub async fn serve(spec: web::Data<SpecJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.0.clone())
}
