-- Run once by the postgres image's entrypoint, after it created POSTGRES_DB (surge).
CREATE DATABASE surge_s1 OWNER surge;
