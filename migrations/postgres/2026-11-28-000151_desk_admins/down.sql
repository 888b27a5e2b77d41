UPDATE users SET desk_mail = 'each' WHERE role = 'admin';
