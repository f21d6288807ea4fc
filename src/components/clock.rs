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
