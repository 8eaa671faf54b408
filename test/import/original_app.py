#!/usr/bin/python3
"""A database made the way the original TicketMonster app made it, oddities included.

    original_app.py SQLALCHEMY_URI LINK_TABLE [EVENT_COLUMN ARTIST_COLUMN] [--sqlite-only-oddities]

The models are the original Flask app's (Flask-SQLAlchemy), its tables are created by
db.create_all() and its passwords hashed by passlib's sha512_crypt, as the app did; the rows
are what years of that app leave behind: deleted events whose orders stayed, balances that
went negative or were never set, a line-up entered twice, names differing only in case.
SQLite enforces neither lengths nor enums, so --sqlite-only-oddities adds what only a
SQLite data.db can hold. test/import/import.test.mjs checks the import of exactly these rows.
"""
import sys
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)  # passlib imports crypt

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from passlib.hash import sha256_crypt, sha512_crypt

args = [a for a in sys.argv[1:] if not a.startswith("--")]
uri, link_table = args[0], args[1]
event_column, artist_column = args[2:4] if len(args) >= 4 else ("event_id", "artist_id")
sqlite_only = "--sqlite-only-oddities" in sys.argv[1:]

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = uri
db = SQLAlchemy(app)

# Some deployments gave the association table a primary key, others (like this one) did not,
# which is how a line-up came to be entered twice.
artists_in_events = db.Table(
    link_table,
    db.Column(event_column, db.Integer, db.ForeignKey("events.id")),
    db.Column(artist_column, db.Integer, db.ForeignKey("artists.id")),
)


class AccountsModel(db.Model):
    __tablename__ = "accounts"
    username = db.Column(db.String(30), primary_key=True, unique=True, nullable=False)
    password = db.Column(db.String(), nullable=False)
    # 0 not admin / 1 is admin
    is_admin = db.Column(db.Integer, nullable=False)
    available_money = db.Column(db.Integer)
    orders = db.relationship("OrdersModel", backref="orders", lazy=True)


class EventModel(db.Model):
    __tablename__ = "events"
    __table_args__ = (db.UniqueConstraint("name", "date", "city"),)
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(30), nullable=False)
    place = db.Column(db.String(30), nullable=False)
    city = db.Column(db.String(30), nullable=False)
    date = db.Column(db.String(30), nullable=False)
    price = db.Column(db.Integer, nullable=False)
    total_available_tickets = db.Column(db.Integer, nullable=False)
    artists = db.relationship("ArtistModel", secondary=artists_in_events,
                              backref=db.backref("events", lazy="dynamic"))


class ArtistModel(db.Model):
    __tablename__ = "artists"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(30), nullable=False)
    country = db.Column(db.String(30), nullable=False)
    genre = db.Column(db.Enum("REGGAE", "POP", "TRAP", "HIP HOP", "ROCK", "INDIE", "HEAVY",
                              "ELECTRONIC", "OTHER", name="genres_types"), nullable=False)


class OrdersModel(db.Model):
    __tablename__ = "orders"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(30), db.ForeignKey("accounts.username"), nullable=False)
    id_event = db.Column(db.Integer, nullable=False)  # no foreign key, as in the original
    tickets_bought = db.Column(db.Integer, nullable=False)


# Cheap hashes for most users keep the test quick; alice has the app's default cost.
fast512 = sha512_crypt.using(rounds=1000)
ACCOUNTS = [
    ("alice", sha512_crypt.hash("alice-old-password"), 0, 150),
    ("bob", fast512.hash("bob"), 0, None),              # never set: NULL
    ("carol", fast512.hash("carol-pw"), 0, -20),        # the original's race let it go negative
    ("boss", fast512.hash("boss-password"), 1, 0),
    ("Dave", fast512.hash("dave-upper"), 0, 40),        # Dave and dave: two people
    ("dave", fast512.hash("dave-lower"), 0, 60),
    ("eve", sha256_crypt.using(rounds=1000).hash("eve-password"), 0, 75),
    ("mallory", "plaintext-password", 0, 10),           # not a hash: cannot be verified
    ("oscar", "$6$rounds=1000$salt$cut-short", 0, 10),  # a damaged hash
]
EVENTS = [
    (1, "Canet Rock", "Platja", "Canet de Mar", "2020-07-05", 50, 100),
    (2, "Future Fest", "Parc", "Girona", "2030-06-01", 20, 10),
    (3, "Bad Date", "Sala", "Vic", "05/07/2020", 10, 5),  # not YYYY-MM-DD
    (6, "Summer Jam", "Moll", "Tarragona", "2031-01-01", 5, 0),
]
ARTISTS = [
    (1, "Txarango", "Spain", "REGGAE"),
    (2, "Manel", "Spain", "INDIE"),
    (3, "Oques Grasses", "Spain", "POP"),
]
LINKS = [(1, 1), (1, 1), (1, 2), (2, 3), (3, 1)]   # (1, 1) twice; event 3 is skipped
ORDERS = [
    (1, "alice", 1, 2),
    (2, "alice", 2, 1),
    (3, "bob", 1, 1),
    (4, "alice", 4, 3),     # event 4 was deleted
    (5, "Dave", 1, 1),
    (6, "dave", 2, 1),
    (7, "carol", 3, 1),     # its event is skipped
    (8, "eve", 6, 2),
    (9, "mallory", 1, 1),
    (10, "bob", 2, 0),      # nothing bought
    (12, "boss", 1, 1),     # bought before being made an admin
]

if sqlite_only:
    ACCOUNTS.append(("a_username_longer_than_thirty_chars", fast512.hash("long"), 0, 5))
    EVENTS.append((7, "A festival whose name is longer than thirty", "Platja", "Sitges",
                   "2031-05-05", 30, 50))
    ARTISTS.append((4, "Jazzmen", "France", "JAZZ"))    # SQLite does not enforce the enum
    LINKS.append((2, 4))
    ORDERS.append((11, "alice", 7, 1))

with app.app_context():
    db.create_all()
    for username, password, is_admin, money in ACCOUNTS:
        db.session.add(AccountsModel(username=username, password=password, is_admin=is_admin,
                                     available_money=money))
    for id_, name, place, city, date, price, left in EVENTS:
        db.session.add(EventModel(id=id_, name=name, place=place, city=city, date=date,
                                  price=price, total_available_tickets=left))
    for id_, name, country, genre in ARTISTS:
        db.session.add(ArtistModel(id=id_, name=name, country=country, genre=genre))
    db.session.commit()
    for event_id, artist_id in LINKS:
        db.session.execute(artists_in_events.insert().values({event_column: event_id,
                                                             artist_column: artist_id}))
    for id_, username, id_event, tickets in ORDERS:
        db.session.add(OrdersModel(id=id_, username=username, id_event=id_event,
                                   tickets_bought=tickets))
    db.session.commit()
