package dev.herald.server.state;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One numbered change to the state's tables. Applied once, in order, in its own transaction, and
 * recorded in {@code herald_migrations}; never edited once released (add a new one instead).
 *
 * @param version    its number, from 1, without gaps
 * @param name       what it does, as the migrations table records it
 * @param statements its DDL for a dialect
 */
public record Migration(int version, String name, Function<Dialect, List<String>> statements) {

    public Migration {
        if (version < 1) {
            throw new IllegalArgumentException("migration version must be >= 1, was " + version);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("migration " + version + " needs a name");
        }
        Objects.requireNonNull(statements, "statements");
    }

    /** A migration written the same for every dialect but for its {@link Dialect} placeholders. */
    public static Migration of(int version, String name, Function<Dialect, String> statement) {
        return new Migration(version, name, dialect -> List.of(statement.apply(dialect)));
    }
}
