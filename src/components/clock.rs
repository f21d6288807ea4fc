//! The phone's offset from UTC, for showing times as its owner reads them. The server renders with the
//! school's offset (China Standard Time); the browser asks its own clock.

/// Minutes east of UTC.
pub fn phone_utc_offset() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        -(js_sys::Date::new_0().get_timezone_offset() as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        crate::domain::clock::SCHOOL_UTC_OFFSET_MINUTES
    }
}

/// The phone's clock in milliseconds since the Unix epoch; 0 while rendering on the server (pages that show
/// "now" fill in once hydrated).
pub fn phone_now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// The current time on whichever side renders: the phone's clock in the browser, the server's while rendering
/// there (for pages whose content depends on today, such as a register's default day).
pub fn now_anywhere_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// Today as `YYYY-MM-DD` where this renders (the phone's day in the browser).
pub fn today_text() -> String {
    crate::domain::clock::date(now_anywhere_ms(), phone_utc_offset())
}

/// This month as `YYYY-MM` where this renders.
pub fn this_month_text() -> String {
    crate::domain::clock::month(now_anywhere_ms(), phone_utc_offset())
}
