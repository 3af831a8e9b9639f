-- A database, an application account and a master account for trying the CLI against the emulators
-- (README: Operating it). Run it on a throwaway MySQL or MariaDB: mysql -uroot < examples/local/setup.sql
CREATE DATABASE IF NOT EXISTS demo_app;
CREATE TABLE IF NOT EXISTS demo_app.greetings (id INT PRIMARY KEY, text VARCHAR(64));
INSERT IGNORE INTO demo_app.greetings VALUES (1, 'hello');
CREATE USER IF NOT EXISTS 'demo_app'@'%' IDENTIFIED BY 'Demo-app-pw-1';
GRANT SELECT, INSERT, UPDATE, DELETE ON demo_app.* TO 'demo_app'@'%';
CREATE USER IF NOT EXISTS 'demo_master'@'%' IDENTIFIED BY 'Demo-master-pw-1';
GRANT ALL PRIVILEGES ON *.* TO 'demo_master'@'%' WITH GRANT OPTION;
