package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code herald bench postgres} with tiny sizes on the local PostgreSQL (as the transport's own tests):
 * it runs, prints the machine and its ratio lines, and drops its schema. No speed is asserted.
 */
class PostgresBenchSmokeTest {

    @Test
    void printsTheMachineAndEveryRatioAndDropsItsSchema() throws Exception {
        BenchOutput output = BenchOutput.of(PostgresBench::run, "--url", PostgresBench.DEFAULT_URL, "--events", "60",
                "--threads", "3", "--clients", "3", "--pool", "4");

        assertThat(output.exit()).as(output.text()).isZero();
        assertThat(output.text().lines().skip(1).findFirst()).hasValueSatisfying(l -> assertThat(l).startsWith("machine: "));
        assertThat(output.ratios("ratio Herald/raw outbox")).hasSize(2);
        assertThat(output.ratios("ratio Herald/raw publish")).hasSize(2); // the ratio and its target
        assertThat(output.ratios("ratio native/dispatcher filtering")).hasSize(1);
        assertThat(output.line("reference, not measured in this run")).contains("Spring Modulith");
        Matcher schema = Pattern.compile("schema (herald_bench_[0-9a-f]+)").matcher(output.text());
        assertThat(schema.find()).isTrue();
        try (Connection connection = DriverManager.getConnection(PostgresBench.DEFAULT_URL);
             ResultSet rs = connection.getMetaData().getSchemas(null, schema.group(1))) {
            assertThat(rs.next()).as("schema " + schema.group(1) + " dropped").isFalse();
        }
    }

    @Test
    void refusesABadOptionWithExitTwo() {
        BenchOutput output = BenchOutput.of(PostgresBench::run, "--threads", "0");
        assertThat(output.exit()).isEqualTo(2);
        assertThat(output.text()).contains("--threads must be a positive integer, not '0'").contains("Usage:");
    }

    @Test
    void anUnreachableDatabaseIsExitTwoNamingTheUrl() {
        BenchOutput output = BenchOutput.of(PostgresBench::run, "--url", "jdbc:postgresql://127.0.0.1:1/test?user=postgres");
        assertThat(output.exit()).isEqualTo(2);
        assertThat(output.text()).contains("--url: cannot connect to jdbc:postgresql://127.0.0.1:1/test");
    }
}
