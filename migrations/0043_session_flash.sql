-- What the last change a browser made did, said once on its next page ("Case registered",
-- "Referral sent to Casa Abrigo Porto"): kept with the session on the server, never in the
-- address or a cookie, and cleared when shown (identity/auth.c, web/page.c). It may name an
-- organisation or a case number, never a person.
ALTER TABLE sessions ADD COLUMN flash TEXT;
