-- The school itself: its name heads every printout, QR label and page title. One row, written by the admin.
CREATE TABLE school (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
