package dev.herald.archive;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
 * every committed Parquet file under the directory (columns of all types united by name, Hive partitions
 * {@code type}, {@code date} and {@code hour} usable for pruning). Files of a checkpoint still being
 * written ({@code _staging/}) are left out, so a query of a live archive counts no row twice.
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
        List<String> files = committedFiles(dir);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no Parquet files under " + dir);
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duck.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            try {
                statement.execute("CREATE VIEW events AS SELECT * FROM read_parquet(["
                        + String.join(", ", files.stream().map(f -> "'" + f.replace("'", "''") + "'").toList())
                        + "], union_by_name = true, hive_partitioning = true)");
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

    private static List<String> committedFiles(Path dir) {
        List<String> files = new ArrayList<>();
        try {
            Files.walkFileTree(dir.toAbsolutePath().normalize(), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path subdir, BasicFileAttributes attributes) {
                    return subdir.getFileName().toString().equals("_staging") ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (file.getFileName().toString().endsWith(".parquet")) {
                        files.add(file.toString());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // gone meanwhile: a live archive moved or replaced it
                }
            });
        } catch (IOException e) {
            throw new ArchiveException("cannot list the files under " + dir + ": " + e.getMessage(), e);
        }
        files.sort(null);
        return files;
    }
}
