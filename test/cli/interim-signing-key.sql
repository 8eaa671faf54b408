-- INTERIM, until secdb's tm_signing_key_set (PLAN.md's interface) is merged into main: a
-- stand-in with the same contract in the database's public schema, found by migrate's
-- unqualified call. test/cli and test/package create it only when the installed extension
-- lacks the function; delete this file with the merge.
CREATE TABLE public.tm_interim_keys (kid serial PRIMARY KEY, secret text NOT NULL);
CREATE FUNCTION public.tm_signing_key_set(secret text) RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE current public.tm_interim_keys;
BEGIN
  IF length(secret) < 32 THEN
    RAISE EXCEPTION 'signing keys have at least 32 characters' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO current FROM public.tm_interim_keys ORDER BY kid DESC LIMIT 1;
  IF current.secret = secret THEN
    RETURN jsonb_build_object('kid', current.kid::text, 'changed', false);
  END IF;
  INSERT INTO public.tm_interim_keys (secret) VALUES (secret) RETURNING * INTO current;
  RETURN jsonb_build_object('kid', current.kid::text, 'changed', true);
END $f$;
