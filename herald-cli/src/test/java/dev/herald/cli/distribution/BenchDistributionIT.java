package dev.herald.cli.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herald bench http} and {@code herald bench webhooks} of the assembled distribution, with tiny
 * sizes: each runs (its server in a further child process), prints the machine, every row and its ratio
 * lines, and cleans up. Their speed is not asserted.
 */
class BenchDistributionIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern RATIO = Pattern.compile("^ratio +(.+?) +([0-9]+\\.[0-9]+)x", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void httpPrintsIntakeAgainstHealthz() throws Exception {
        HeraldCommand run = HeraldCommand.run(dir, TIMEOUT, "bench", "http", "--connections", "4", "--events", "60",
                "--batch", "10", "--batch-events", "100", "--data", dir.toString());

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("machine: ").contains("gen%").contains("srv%");
        assertThat(rate(run.output(), "baseline  GET /healthz")).isPositive();
        assertThat(rate(run.output(), "herald    POST /v1/events, 1 event/request")).isPositive();
        assertThat(rate(run.output(), "herald    POST /v1/events, 10 events/request")).isPositive();
        assertThat(ratios(run.output())).contains("1 event/request / healthz", "batch events/s / healthz req/s");
        assertThat(dir.toFile().list()).as("the server's data is deleted").allMatch(name -> name.endsWith(".log"));
    }

    @Test
    void httpOnPostgresAddsTheRawInsertBaselineAndDropsItsSchemas() throws Exception {
        HeraldCommand run = HeraldCommand.run(dir, TIMEOUT, "bench", "http", "--connections", "4", "--events", "60",
                "--batch", "10", "--batch-events", "100", "--transport", "postgres", "--postgres-url", TestSchema.URL);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(rate(run.output(), "baseline  raw INSERT, 4 clients")).isPositive();
        assertThat(ratios(run.output())).contains("1 event/request / raw INSERT", "1 event/request / healthz");
        Matcher schema = Pattern.compile("schema (herald_bench_[0-9a-f]+)").matcher(run.output());
        assertThat(schema.find()).as(run.output()).isTrue();
        try (Connection connection = DriverManager.getConnection(TestSchema.URL);
             PreparedStatement left = connection.prepareStatement(
                     "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE ?")) {
            left.setString(1, schema.group(1) + "%");
            try (ResultSet rs = left.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("schemas left by the run").isZero();
            }
        }
    }

    @Test
    void webhooksPrintsTheDrainAgainstTheSink() throws Exception {
        HeraldCommand run = HeraldCommand.run(dir, TIMEOUT, "bench", "webhooks", "--events", "100", "--concurrency",
                "4", "--content-mode", "structured");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("machine: ").contains("0 bad signatures");
        assertThat(rate(run.output(), "baseline  the sink's own rate")).isPositive();
        assertThat(rate(run.output(), "herald    webhook drain, concurrency 4, structured")).isPositive();
        assertThat(ratios(run.output())).contains("webhook drain / sink's own rate");
    }

    @Test
    void clusterPrintsIntakeAndWebhooksPerInstanceCountAgainstRawInserts() throws Exception {
        HeraldCommand run = HeraldCommand.run(dir, TIMEOUT, "bench", "cluster", "--postgres-url", TestSchema.URL,
                "--events", "60", "--connections", "4", "--instances", "2", "--concurrency", "4", "--server-log", "WARN");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("machine: ").contains("0 bad signatures");
        assertThat(rate(run.output(), "baseline  raw INSERT, 4 clients")).isPositive();
        for (String instances : List.of("1 instance", "2 instances")) {
            assertThat(rate(run.output(), "herald    intake, " + instances)).isPositive();
            assertThat(rate(run.output(), "herald    webhooks, " + instances)).isPositive();
        }
        assertThat(ratios(run.output())).containsExactly("intake, 1 instance / raw INSERT",
                "webhooks, 1 instance / raw INSERT", "intake, 2 instances / raw INSERT",
                "webhooks, 2 instances / raw INSERT");
        Matcher schemas = Pattern.compile("schema (herald_bench_[0-9a-f]+)").matcher(run.output());
        List<String> used = new java.util.ArrayList<>();
        while (schemas.find()) {
            used.add(schemas.group(1));
        }
        assertThat(used).as("the baseline's and each instance count's").hasSize(3);
        try (Connection connection = DriverManager.getConnection(TestSchema.URL);
             PreparedStatement left = connection.prepareStatement(
                     "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE ?")) {
            for (String schema : used) {
                left.setString(1, schema + "%");
                try (ResultSet rs = left.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("schemas left by the run: %s*", schema).isZero();
                }
            }
        }
    }

    @Test
    void badArgumentsExitWithTwoAndTheUsage() throws Exception {
        HeraldCommand run = HeraldCommand.run(dir, TIMEOUT, "bench", "webhooks", "--concurrency", "300");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.output()).contains("--concurrency must be at most 256").contains("Usage: herald bench webhooks");
    }

    @Test
    void helpAfterTheBenchmarkNameListsThatBenchmarksOptions() throws Exception {
        HeraldCommand own = HeraldCommand.run(dir, TIMEOUT, "bench", "webhooks", "--help");
        assertThat(own.exit()).isZero();
        assertThat(own.output()).contains("Usage: herald bench webhooks").contains("--concurrency");

        HeraldCommand all = HeraldCommand.run(dir, TIMEOUT, "bench", "--help");
        assertThat(all.exit()).isZero();
        assertThat(all.output()).contains("Usage: herald bench").contains("cluster:");
    }

    /** The events/s column of the row starting with {@code label}. */
    private static double rate(String output, String label) {
        String row = output.lines().filter(line -> line.startsWith(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no row '" + label + "' in\n" + output));
        List<String> columns = List.of(row.substring(52).trim().split(" +"));
        return Double.parseDouble(columns.get(3).replace(",", ""));
    }

    /** The ratio lines' names, each with a positive ratio. */
    private static List<String> ratios(String output) {
        Matcher matcher = RATIO.matcher(output);
        List<String> names = new java.util.ArrayList<>();
        while (matcher.find()) {
            assertThat(Double.parseDouble(matcher.group(2))).as(matcher.group()).isPositive();
            names.add(matcher.group(1).strip());
        }
        return names;
    }
}
