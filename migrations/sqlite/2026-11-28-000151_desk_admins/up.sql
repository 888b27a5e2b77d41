-- Admins configure the desk; like new admins, they opt in to its mail.
UPDATE users SET desk_mail = 'off' WHERE role = 'admin';
