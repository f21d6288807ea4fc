//! Links printed on paper (QR labels, sign-in slips): the address phones reach this server by, and a QR code
//! of an address.

use crate::error::AppError;

/// The address phones reach this server by: `HOUQIN_PUBLIC_URL`, or else the Host the request came to.
pub async fn public_base_url(state: &crate::server::state::AppState) -> Result<String, AppError> {
    if let Some(url) = &state.config.public_url {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    let headers: axum::http::HeaderMap = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| state.leptos_options.site_addr.to_string(), str::to_owned);
    Ok(format!("http://{host}"))
}

/// A QR code of `url` as SVG, large enough to scan from a printed sticker.
pub fn qr_svg(url: &str) -> Result<String, AppError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|cause| {
            tracing::error!(%cause, "QR code");
            AppError::Internal
        })?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}
