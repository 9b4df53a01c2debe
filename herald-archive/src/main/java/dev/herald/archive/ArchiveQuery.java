package dev.herald.archive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL over an archive or export directory, with DuckDB: the view {@code events} holds every row of
 * every Parquet file under the directory (columns of all types united by name, Hive partitions
 * {@code type} and {@code date} usable for pruning).
 */
public final class ArchiveQuery {

    /**
     * A query's answer.
     *
     * @param columns the column names
     * @param rows    the rows, every value as text ({@code null} for SQL NULL)
     */
    public record Answer(List<String> columns, List<List<String>> rows) {
    }

    private ArchiveQuery() {
    }

    /**
     * Runs one SQL statement.
     *
     * @throws IllegalArgumentException when the directory holds no Parquet file, or the SQL is refused
     *                                  (DuckDB's message names the problem)
     */
    public static Answer run(Path dir, String sql, int maxRows) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no archive at " + dir + ": not a directory");
        }
        String glob = dir.toAbsolutePath().normalize().resolve("**").resolve("*.parquet").toString();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duck.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            try {
                statement.execute("CREATE VIEW events AS SELECT * FROM read_parquet('" + glob.replace("'", "''")
                        + "', union_by_name = true, hive_partitioning = true)");
            } catch (SQLException e) {
                throw new IllegalArgumentException("no Parquet files under " + dir + ": " + e.getMessage(), e);
            }
            try (ResultSet result = statement.executeQuery(sql)) {
                ResultSetMetaData meta = result.getMetaData();
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columns.add(meta.getColumnLabel(i));
                }
                List<List<String>> rows = new ArrayList<>();
                while (result.next() && rows.size() < maxRows) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= columns.size(); i++) {
                        Object value = result.getObject(i);
                        row.add(value == null ? null : value.toString());
                    }
                    rows.add(row);
                }
                return new Answer(columns, rows);
            } catch (SQLException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        } catch (SQLException e) {
            throw new ArchiveException("cannot start DuckDB: " + e.getMessage(), e);
        }
    }
}
