-- Every table a pull reads by version has an index on it (`tests/server/sync.rs` checks the schema): the
-- per-user ticket access and the small settings tables were scanned whole on every pull.
CREATE INDEX ticket_access_version ON ticket_access (version);
CREATE INDEX check_points_version ON check_points (version);
CREATE INDEX school_classes_version ON school_classes (version);
CREATE INDEX ticket_rules_version ON ticket_rules (version);
CREATE INDEX safety_templates_version ON safety_templates (version);
CREATE INDEX safety_holidays_version ON safety_holidays (version);
CREATE INDEX cleaning_rubrics_version ON cleaning_rubrics (version);
CREATE INDEX cleaning_settings_version ON cleaning_settings (version);
CREATE INDEX cleaning_publications_version ON cleaning_publications (version);
