-- TicketMonster 1.0 -> 1.1. Each change here has its twin in sql/ticketmonster.sql (the
-- install script of the newest version); test/upgrade proves that both give the same schema.

\echo Use "ALTER EXTENSION ticketmonster UPDATE TO '1.1'" to load this file. \quit
