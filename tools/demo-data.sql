-- The original TicketMonster app's example data, loaded by tools/dev-run into an empty
-- development database. It goes through the tm_* functions from the console (NULL token),
-- so it is validated exactly like data entered through the API.
\set ON_ERROR_STOP on
BEGIN;

SELECT tm_event_create(NULL, '{"name": "Canet Rock 2020", "place": "Platja", "city": "Canet de Mar",
        "date": "2020-07-05", "price": 50, "total_available_tickets": 300,
        "image_url": "/static/images/beach-stage.svg"}') -> 'event' ->> 'id' AS canet \gset
-- The original's other two events, moved a few weeks ahead of today so that they are on sale
-- (Canet Rock 2020 stays in the past: listed apart, no longer sold).
SELECT tm_event_create(NULL, jsonb_build_object('name', 'Festival Cruilla', 'place', 'Parc del Forum',
        'city', 'Barcelona', 'date', current_date + 45, 'time', '19:00', 'price', 90,
        'capacity', 500, 'image_url', '/static/images/seaside-festival.svg')) -> 'event' ->> 'id' AS cruilla \gset
SELECT tm_event_create(NULL, jsonb_build_object('name', 'Iron Maiden Tour', 'place', 'Palau Sant Jordi',
        'city', 'Barcelona', 'date', current_date + 80, 'time', '21:00', 'price', 70,
        'capacity', 1000, 'max_tickets_per_account', 6, 'image_url', '/static/images/arena-lights.svg')) -> 'event' ->> 'id' AS maiden \gset

-- A fourth, without a picture: its card shows the placeholder drawn from its name and genre.
SELECT tm_event_create(NULL, jsonb_build_object('name', 'Jazz al Parc', 'place', 'Parc de la Ciutadella',
        'city', 'Barcelona', 'date', current_date + 30, 'time', '18:30', 'price', 25,
        'capacity', 200)) -> 'event' ->> 'id' AS jazz \gset

-- Linking by name creates the artist the first time and reuses it afterwards.
SELECT tm_event_artist_add(NULL, :canet, '{"name": "Txarango", "country": "Spain", "genre": "REGGAE"}') IS NOT NULL AS linked;
SELECT tm_event_artist_add(NULL, :canet, '{"name": "Oques Grasses", "country": "Spain", "genre": "POP"}') IS NOT NULL AS linked;
SELECT tm_event_artist_add(NULL, :cruilla, '{"name": "Bad Gyal", "country": "Spain", "genre": "TRAP"}') IS NOT NULL AS linked;
SELECT tm_event_artist_add(NULL, :cruilla, '{"name": "Billie Eilish", "country": "USA", "genre": "POP"}') IS NOT NULL AS linked;
SELECT tm_event_artist_add(NULL, :cruilla, '{"name": "Oques Grasses", "country": "Spain", "genre": "POP"}') IS NOT NULL AS linked;
SELECT tm_event_artist_add(NULL, :jazz, '{"name": "Andrea Motis", "country": "Spain", "genre": "OTHER"}') IS NOT NULL AS linked;
SELECT tm_event_artist_add(NULL, :maiden, '{"name": "Iron Maiden", "country": "United Kingdom", "genre": "HEAVY"}') IS NOT NULL AS linked;

-- A customer with an order, so that every page has something to show.
SELECT tm_account_create('{"username": "demo", "password": "demo-password"}') IS NOT NULL AS created;
SELECT tm_order_create(NULL, 'demo', jsonb_build_object('event_id', :cruilla, 'tickets_bought', 2)) IS NOT NULL AS ordered;

COMMIT;
