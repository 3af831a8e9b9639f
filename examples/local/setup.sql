-- A database, an application account and a master account for trying the CLI against the emulators
-- (README: Operating it). Run it on a throwaway MySQL or MariaDB: mysql -uroot < examples/local/setup.sql
-- It starts from scratch each time, as the emulator's seed does: a rotated password is reset here.
DROP USER IF EXISTS 'demo_app'@'%', 'demo_app_rt'@'%', 'demo_master'@'%';
CREATE DATABASE IF NOT EXISTS demo_app;
CREATE TABLE IF NOT EXISTS demo_app.greetings (id INT PRIMARY KEY, text VARCHAR(64));
INSERT IGNORE INTO demo_app.greetings VALUES (1, 'hello');
CREATE USER 'demo_app'@'%' IDENTIFIED BY 'Demo-app-pw-1';
GRANT SELECT, INSERT, UPDATE, DELETE ON demo_app.* TO 'demo_app'@'%';
CREATE USER 'demo_master'@'%' IDENTIFIED BY 'Demo-master-pw-1';
GRANT ALL PRIVILEGES ON *.* TO 'demo_master'@'%' WITH GRANT OPTION;
