package dev.herald.transport.postgres;

import dev.herald.transport.NativeFilter;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * A subscription's {@link NativeFilter} as a SQL boolean expression over one row of the {@code events} table,
 * every value a bind parameter: what a pull evaluates so that the events the filter rejects never become
 * deliveries.
 *
 * <p>Where an attribute is read:
 * <ul>
 *   <li>{@code type}, {@code subject}, {@code source} and {@code project} from the columns copied out of the
 *       event at insert ({@code COALESCE(type = ?, false)}, {@code COALESCE(starts_with(subject, ?), false)}:
 *       byte-wise, case-sensitive, no {@code LIKE} pattern to escape; an event without the attribute matches
 *       neither);</li>
 *   <li>any other attribute named like a CloudEvents extension ({@code [a-z0-9]+}), and {@code id},
 *       {@code specversion} and {@code dataschema}, from the stored JSON: a string or boolean member compares
 *       its text, which is the canonical string form the consumer's event will have; an absent member matches
 *       nothing. The event is parsed as {@code json}, and only when the filter needs it.</li>
 * </ul>
 *
 * <p>What SQL cannot decide exactly is <em>unknown</em>, SQL's {@code NULL}: {@code time} (its text is not its
 * canonical form), {@code datacontenttype} (the JSON format infers it when absent), {@code data}, a member that
 * is a number (the stored text may be the producer's, {@code -0} for the integer 0), null, an object or an
 * array, a value with a NUL character or an unpaired surrogate (PostgreSQL's text cannot hold them), any event
 * whose stored JSON escapes a NUL or an unpaired surrogate (PostgreSQL's json operators refuse the whole document,
 * so one such event would otherwise fail every pull of the subscription), and every event in a database whose
 * encoding is not UTF-8. SQL's three-valued {@code AND}, {@code OR} and {@code NOT} carry the unknown up only
 * where it changes the outcome, and the whole expression accepts an unknown. So the predicate never rejects an event the filter accepts: it is
 * exact wherever it can be, and otherwise lets the event through to Herald's dispatcher, which applies the
 * subscription's whole filter to every delivery anyway.
 */
final class SqlFilter {

    /** Accepts every row. */
    static final SqlFilter NONE = new SqlFilter("true", List.of());

    /** Attributes the {@code events} table has as columns, by attribute name. */
    private static final Map<String, String> COLUMNS =
            Map.of("type", "type", "subject", "subject", "source", "source", "project", "project");
    /** Names the JSON format may hold as a member with the attribute's value: extension names, and these. */
    private static final Pattern JSON_MEMBER = Pattern.compile("[a-z0-9]+");
    /** Named like extensions, but their JSON member is not (always) their value: see the class comment. */
    private static final Set<String> NOT_FROM_JSON = Set.of("time", "datacontenttype", "data");
    private static final String UNKNOWN = "NULL::boolean";
    /**
     * A regular expression, as PostgreSQL reads it (case-insensitive), finding the escapes its json parser refuses:
     * NUL, a high surrogate not followed by a low one, a low surrogate not preceded by a high one. Where it matches
     * an escaped backslash followed by such text, the event is merely let through.
     */
    private static final String UNPARSEABLE = "\\\\u0000|\\\\ud[89ab][0-9a-f]{2}(?!\\\\ud[c-f])"
            + "|(?<!\\\\ud[89ab][0-9a-f]{2})\\\\ud[c-f]";

    private final String sql;
    private final List<String> parameters;

    private SqlFilter(String sql, List<String> parameters) {
        this.sql = sql;
        this.parameters = List.copyOf(parameters);
    }

    /**
     * Compiles {@code filter} to a predicate over the {@code events} row named {@code row} (a table alias).
     * It is never NULL: true for the rows to deliver, false for those the filter certainly rejects.
     */
    static SqlFilter compile(NativeFilter filter, String row) {
        if (filter.isAll()) {
            return NONE;
        }
        Compiler compiler = new Compiler(row);
        String expression = "COALESCE(" + compiler.expression(filter) + ", true)";
        if (compiler.readsJson) {
            // Parsed once per row, and not at all when PostgreSQL could refuse it (event_json is then NULL, which
            // every JSON condition reads as unknown): in a database that cannot hold all of UTF-8, or when the text
            // has an escaped NUL or unpaired surrogate (UNPARSEABLE).
            String unparseable = "E'" + UNPARSEABLE.replace("\\", "\\\\") + "'";
            expression = "(SELECT " + expression + " FROM (SELECT CASE WHEN t IS NULL OR t ~* " + unparseable
                    + " THEN NULL ELSE t::json END AS event_json FROM (SELECT CASE WHEN getdatabaseencoding() = 'UTF8'"
                    + " THEN convert_from(" + row + ".data, 'UTF8') END AS t) AS decoded) AS parsed)";
        }
        return new SqlFilter(expression, compiler.parameters);
    }

    /** The boolean expression, with a {@code ?} per {@link #parameters() parameter}. */
    String sql() {
        return sql;
    }

    /** The values to bind, in the order of the expression's {@code ?}s. */
    List<String> parameters() {
        return parameters;
    }

    /**
     * Binds the parameters from index {@code first} on.
     *
     * @return the index after the last parameter bound
     */
    int bind(PreparedStatement statement, int first) throws SQLException {
        int index = first;
        for (String parameter : parameters) {
            statement.setString(index++, parameter);
        }
        return index;
    }

    @Override
    public String toString() {
        return sql + " " + parameters;
    }

    /** One compilation: the parameters collected in order, and whether the stored JSON is read. */
    private static final class Compiler {

        private final String row;
        private final List<String> parameters = new ArrayList<>();
        private boolean readsJson;

        Compiler(String row) {
            this.row = row;
        }

        /** Three-valued: NULL where SQL cannot decide. */
        String expression(NativeFilter filter) {
            return switch (filter) {
                case NativeFilter.Exact exact -> condition(exact.attribute(), exact.value(), false);
                case NativeFilter.Prefix prefix -> condition(prefix.attribute(), prefix.prefix(), true);
                case NativeFilter.All all -> joined(all.filters(), " AND ", "true");
                case NativeFilter.Any any -> joined(any.filters(), " OR ", "false");
                case NativeFilter.Not not -> "(NOT " + expression(not.filter()) + ")";
            };
        }

        private String joined(List<NativeFilter> filters, String operator, String empty) {
            if (filters.isEmpty()) {
                return empty;
            }
            StringJoiner joined = new StringJoiner(operator, "(", ")");
            filters.forEach(f -> joined.add(expression(f)));
            return joined.toString();
        }

        private String condition(String attribute, String value, boolean prefix) {
            if (!representable(value)) {
                return UNKNOWN;
            }
            String column = COLUMNS.get(attribute);
            if (column != null) {
                parameters.add(value);
                return "COALESCE(" + comparison(row + "." + column, prefix) + ", false)";
            }
            if (!JSON_MEMBER.matcher(attribute).matches() || NOT_FROM_JSON.contains(attribute)) {
                return UNKNOWN;
            }
            readsJson = true;
            parameters.add(value); // in the order of their ?s: the comparison comes first, the member after
            parameters.add(attribute);
            // Absent member: false, unless the document was not parsed. Number, null, object, array: no WHEN
            // holds: NULL.
            return "(SELECT CASE WHEN v IS NULL AND event_json IS NOT NULL THEN false"
                    + " WHEN json_typeof(v) IN ('string', 'boolean') THEN " + comparison("(v #>> '{}')", prefix)
                    + " END FROM (SELECT event_json -> ?::text AS v) AS member)";
        }

        private static String comparison(String text, boolean prefix) {
            return prefix ? "starts_with(" + text + ", ?)" : text + " = ?";
        }

        /** Whether PostgreSQL's text can hold {@code value} as it is: no NUL, no unpaired surrogate. */
        private static boolean representable(String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\0') {
                    return false;
                }
                if (Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    return false;
                }
            }
            return true;
        }
    }
}
