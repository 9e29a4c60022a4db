/**
 * SQL helper functions the PostgreSQL dialect's fragments call. They give PostgreSQL the SQLite
 * behaviours Basalt's filter semantics are defined by (spec §4.4, §4.9, §4.13):
 *
 * - `basalt_text(x)`: a value as SQLite would compare it as text (booleans as `1`/`0`, the way
 *   SQLite stores them and the compiler binds `true`/`false`); overloads pick by argument type,
 *   and an untyped parameter resolves to the `text` overload.
 * - `basalt_jsonb(t)`: JSON text → `jsonb`, or NULL when the text is not valid JSON (SQLite's
 *   `json_valid` guard), so bad stored text never raises.
 * - `basalt_json_text(j)`: a JSON value as the SQL scalar `json_extract` returns (strings
 *   unquoted, `true`/`false` as `1`/`0`, numbers in shortest form, `null` as NULL).
 * - `basalt_json_each(t)`: SQLite's `json_each` over an array, a non-array counting as a
 *   one-element array (see SqlDialect.jsonEach).
 * - `basalt_definition_current(lock_key, collection_id, updated)`: takes the shared name lock
 *   (as SqlDialect.nameLock does), then raises SQLSTATE {@link DEFINITION_CHANGED} unless the
 *   stored definition of the collection still has that `updated` (see SqlDialect.definitionCheck).
 * - `basalt_json_array_length(t)`, `basalt_num(x)` (a lenient cast to double precision),
 *   `basalt_strftime(format, time, modifiers)` (SQLite `strftime`, UTC).
 *
 * All are created with CREATE OR REPLACE in the connection's current schema when a database is
 * opened, so an upgrade of Basalt replaces them.
 * @module
 */

/** Bumped whenever the SQL below changes, so an existing schema gets the new definitions. */
export const FUNCTIONS_VERSION = 3;

/** SQLSTATE of a failed `basalt_definition_current` (class `BA` is not used by PostgreSQL). */
export const DEFINITION_CHANGED = 'BA001';

/**
 * The advisory-lock key of a name (SQL expression `name`). Advisory locks are database-wide, so
 * the name is qualified by the schema. PostgresDialect.nameLock and basalt_definition_current
 * must agree on it, or their shared and exclusive locks would stop excluding each other.
 */
export const nameLockKey = (name: string): string => `hashtextextended(current_schema() || '/' || ${name}, 0)`;

export const FUNCTIONS_SQL = String.raw`
CREATE OR REPLACE FUNCTION basalt_text(x text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT x';
CREATE OR REPLACE FUNCTION basalt_text(x boolean) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$SELECT CASE WHEN x THEN '1' WHEN NOT x THEN '0' END$f$;
CREATE OR REPLACE FUNCTION basalt_text(x double precision) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT x::text';
CREATE OR REPLACE FUNCTION basalt_text(x bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT x::text';
CREATE OR REPLACE FUNCTION basalt_text(x integer) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT x::text';
CREATE OR REPLACE FUNCTION basalt_text(x numeric) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT x::float8::text';
CREATE OR REPLACE FUNCTION basalt_text(x json) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT x::text';
CREATE OR REPLACE FUNCTION basalt_text(x jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT x::text';

CREATE OR REPLACE FUNCTION basalt_num(x double precision) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT x';
CREATE OR REPLACE FUNCTION basalt_num(x boolean) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT CASE WHEN x THEN 1 WHEN NOT x THEN 0 END';
CREATE OR REPLACE FUNCTION basalt_num(x text) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN x ~ '^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$' THEN x::double precision END
$f$;

CREATE OR REPLACE FUNCTION basalt_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
BEGIN
  IF t IS NULL OR t = '' THEN RETURN NULL; END IF;
  RETURN t::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$f$;

-- The check is a query of its own, after
-- the lock: in a VOLATILE function each query takes a fresh snapshot, so it reads a schema change
-- that committed while the lock was awaited (one SELECT holding both would not).
CREATE OR REPLACE FUNCTION basalt_definition_current(lock_key text, collection_id text, expected text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $f$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(${nameLockKey('lock_key')});
  IF (SELECT "updated" FROM "_collections" WHERE "id" = collection_id) IS DISTINCT FROM expected THEN
    RAISE EXCEPTION 'basalt: the collection definition changed' USING ERRCODE = '${DEFINITION_CHANGED}';
  END IF;
  RETURN true;
END
$f$;

CREATE OR REPLACE FUNCTION basalt_json_text(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE jsonb_typeof(j)
    WHEN 'string' THEN j #>> '{}'
    WHEN 'boolean' THEN CASE WHEN j = 'true'::jsonb THEN '1' ELSE '0' END
    WHEN 'number' THEN (j::double precision)::text
    WHEN 'null' THEN NULL
    ELSE j::text END
$f$;

CREATE OR REPLACE FUNCTION basalt_json_each(t text) RETURNS TABLE(value text) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT basalt_json_text(e)
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(basalt_jsonb(t)) = 'array' THEN basalt_jsonb(t) ELSE jsonb_build_array(t) END) AS e
$f$;

CREATE OR REPLACE FUNCTION basalt_json_array_length(t text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN jsonb_typeof(basalt_jsonb(t)) = 'array' THEN jsonb_array_length(basalt_jsonb(t))
              WHEN COALESCE(t, '') = '' THEN 0 ELSE 1 END
$f$;

-- SQLite date and time functions (https://sqlite.org/lang_datefunc.html), in UTC. Returns NULL
-- for an unparsable time, an unknown modifier or an unknown directive, as SQLite does.
CREATE OR REPLACE FUNCTION basalt_strftime(fmt text, tv text, mods text[]) RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE AS $f$
DECLARE
  ts timestamp;
  m text[];
  md text;
  n double precision;
  unit text;
  y int; mo int; d int;
  out text := '';
  i int := 1;
  c text;
  numeric_time double precision;
BEGIN
  IF fmt IS NULL OR tv IS NULL THEN RETURN NULL; END IF;
  tv := btrim(tv);
  IF lower(tv) = 'now' THEN
    ts := date_trunc('milliseconds', clock_timestamp() AT TIME ZONE 'UTC');
  ELSIF tv ~ '^[-+]?(\d+\.?\d*|\.\d+)$' THEN
    numeric_time := tv::double precision;
  ELSE
    m := regexp_match(tv, '^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d(?:\.\d+)?))?)?\s*(Z|[-+]\d\d:\d\d)?$', 'i');
    IF m IS NULL THEN
      m := regexp_match(tv, '^()()()(\d\d):(\d\d)(?::(\d\d(?:\.\d+)?))?\s*(Z|[-+]\d\d:\d\d)?$', 'i');
      IF m IS NULL THEN RETURN NULL; END IF;
      m[1] := '2000'; m[2] := '01'; m[3] := '01';
    END IF;
    BEGIN
      ts := make_timestamp(m[1]::int, m[2]::int, m[3]::int, COALESCE(m[4], '0')::int, COALESCE(m[5], '0')::int, COALESCE(m[6], '0')::double precision);
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END;
    IF m[7] IS NOT NULL AND upper(m[7]) <> 'Z' THEN
      ts := ts - (substr(m[7], 1, 1) || '1')::int * make_interval(hours => substr(m[7], 2, 2)::int, mins => substr(m[7], 5, 2)::int);
    END IF;
  END IF;

  FOREACH md IN ARRAY COALESCE(mods, ARRAY[]::text[]) LOOP
    md := lower(btrim(md));
    IF numeric_time IS NOT NULL AND md = 'unixepoch' THEN
      ts := to_timestamp(numeric_time) AT TIME ZONE 'UTC';
      numeric_time := NULL;
      CONTINUE;
    END IF;
    IF numeric_time IS NOT NULL AND md = 'julianday' THEN
      CONTINUE;
    END IF;
    IF numeric_time IS NOT NULL THEN
      -- A bare number is a Julian day number.
      ts := to_timestamp((numeric_time - 2440587.5) * 86400) AT TIME ZONE 'UTC';
      numeric_time := NULL;
    END IF;
    IF md IN ('utc', 'localtime', 'auto', 'subsec', 'subsecond') THEN
      CONTINUE;
    ELSIF md = 'start of day' THEN
      ts := date_trunc('day', ts);
    ELSIF md = 'start of month' THEN
      ts := date_trunc('month', ts);
    ELSIF md = 'start of year' THEN
      ts := date_trunc('year', ts);
    ELSIF md ~ '^weekday [0-6]$' THEN
      n := substr(md, 9)::int;
      ts := ts + make_interval(days => ((n::int - extract(dow FROM ts)::int + 7) % 7));
    ELSE
      m := regexp_match(md, '^([-+]?(?:\d+\.?\d*|\.\d+))\s+(day|hour|minute|second|month|year)s?$');
      IF m IS NULL THEN RETURN NULL; END IF;
      n := m[1]::double precision;
      unit := m[2];
      IF unit IN ('month', 'year') THEN
        -- SQLite adds to the month number, then lets an overflowing day roll into the next month.
        y := extract(year FROM ts)::int; mo := extract(month FROM ts)::int; d := extract(day FROM ts)::int;
        IF unit = 'year' THEN mo := mo + 12 * trunc(n)::int; ELSE mo := mo + trunc(n)::int; END IF;
        y := y + floor((mo - 1) / 12.0)::int;
        mo := ((mo - 1) % 12 + 12) % 12 + 1;
        ts := make_timestamp(y, mo, 1, 0, 0, 0) + make_interval(days => d - 1) + (ts - date_trunc('day', ts));
        IF n <> trunc(n) THEN
          ts := ts + make_interval(secs => (n - trunc(n)) * (CASE WHEN unit = 'year' THEN 365 ELSE 30 END) * 86400);
        END IF;
      ELSE
        ts := ts + make_interval(secs => n * CASE unit WHEN 'day' THEN 86400 WHEN 'hour' THEN 3600 WHEN 'minute' THEN 60 ELSE 1 END);
      END IF;
    END IF;
  END LOOP;
  IF numeric_time IS NOT NULL THEN
    ts := to_timestamp((numeric_time - 2440587.5) * 86400) AT TIME ZONE 'UTC';
  END IF;
  IF ts IS NULL THEN RETURN NULL; END IF;

  WHILE i <= length(fmt) LOOP
    c := substr(fmt, i, 1);
    IF c <> '%' THEN
      out := out || c;
      i := i + 1;
      CONTINUE;
    END IF;
    c := substr(fmt, i + 1, 1);
    i := i + 2;
    out := out || CASE c
      WHEN 'Y' THEN to_char(ts, 'YYYY')
      WHEN 'm' THEN to_char(ts, 'MM')
      WHEN 'd' THEN to_char(ts, 'DD')
      WHEN 'e' THEN lpad(extract(day FROM ts)::int::text, 2, ' ')
      WHEN 'H' THEN to_char(ts, 'HH24')
      WHEN 'k' THEN lpad(extract(hour FROM ts)::int::text, 2, ' ')
      WHEN 'I' THEN to_char(ts, 'HH12')
      WHEN 'l' THEN lpad(to_char(ts, 'FMHH12'), 2, ' ')
      WHEN 'p' THEN to_char(ts, 'AM')
      WHEN 'P' THEN lower(to_char(ts, 'AM'))
      WHEN 'M' THEN to_char(ts, 'MI')
      WHEN 'S' THEN to_char(ts, 'SS')
      WHEN 'f' THEN to_char(ts, 'SS') || '.' || to_char(ts, 'MS')
      WHEN 'F' THEN to_char(ts, 'YYYY-MM-DD')
      WHEN 'T' THEN to_char(ts, 'HH24:MI:SS')
      WHEN 'R' THEN to_char(ts, 'HH24:MI')
      WHEN 'j' THEN to_char(ts, 'DDD')
      WHEN 'J' THEN (extract(epoch FROM ts)::double precision / 86400 + 2440587.5)::text
      WHEN 's' THEN floor(extract(epoch FROM ts))::bigint::text
      WHEN 'w' THEN extract(dow FROM ts)::int::text
      WHEN 'u' THEN extract(isodow FROM ts)::int::text
      WHEN 'W' THEN lpad(((extract(doy FROM ts)::int + 6 - ((extract(dow FROM ts)::int + 6) % 7)) / 7)::text, 2, '0')
      WHEN 'U' THEN lpad(((extract(doy FROM ts)::int + 6 - extract(dow FROM ts)::int) / 7)::text, 2, '0')
      WHEN 'V' THEN to_char(ts, 'IW')
      WHEN 'G' THEN to_char(ts, 'IYYY')
      WHEN 'g' THEN to_char(ts, 'IY')
      WHEN '%' THEN '%'
      ELSE NULL END;
    IF out IS NULL THEN RETURN NULL; END IF;
  END LOOP;
  RETURN out;
END
$f$;
`;
