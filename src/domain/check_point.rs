//! Check points (检查点): a place plus a piece of fire or anti-theft equipment, with a responsible person (责任到人).

use super::coded_enum;
use crate::error::{AppError, Checks};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const CHECK_POINT_LABEL_MAX: u32 = 60;

coded_enum! {
    pub enum CheckPointKind {
        Extinguisher = "extinguisher",
        Hydrant = "hydrant",
        FireAlarm = "fire_alarm",
        EmergencyLight = "emergency_light",
        ExitSign = "exit_sign",
        EscapeRoute = "escape_route",
        FireDoor = "fire_door",
        Lock = "lock",
        AntiTheft = "anti_theft",
        Camera = "camera",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckPoint {
    pub id: Uuid,
    pub place_id: Uuid,
    pub place_path: String,
    pub kind: CheckPointKind,
    pub label: String,
    pub responsible_id: Option<Uuid>,
    pub responsible_name: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckPointInput {
    pub place_id: Uuid,
    pub kind: CheckPointKind,
    pub label: String,
    pub responsible_id: Option<Uuid>,
}

impl CheckPointInput {
    pub fn validate(self) -> Result<CheckPointInput, AppError> {
        let mut checks = Checks::new();
        let label = checks.text("label", &self.label, CHECK_POINT_LABEL_MAX);
        checks.finish()?;
        Ok(CheckPointInput { label, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Problem;

    #[test]
    fn label_is_required_and_trimmed() {
        let input = |label: &str| CheckPointInput {
            place_id: Uuid::nil(),
            kind: CheckPointKind::Extinguisher,
            label: label.into(),
            responsible_id: None,
        };
        assert_eq!(input(" 灭火器#3 ").validate().unwrap().label, "灭火器#3");
        assert_eq!(
            input("  ").validate().unwrap_err().field_problem("label"),
            Some(Problem::Required)
        );
    }
}
