package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.config.ServerConfig;
import dev.herald.server.state.SecretBox;
import dev.herald.server.state.SecretBoxException;
import dev.herald.server.subscriptions.Sink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook secrets and credential headers are sealed with AES-GCM in {@code server.db}; the database and
 * the key file are readable by the server's user only; plaintext rows of earlier versions are sealed at
 * start; and the key rotates with {@code HERALD_SECRET_KEY_PREVIOUS}.
 */
class SecretsAtRestTest {

    private static final String CREDENTIAL = "Bearer very-secret-credential-4711";
    private static final Map<String, String> SETTINGS = Map.of("webhooks.ssrf-allow", "127.0.0.1");

    @TempDir
    Path dir;

    private final Sink sink = new Sink();

    @AfterEach
    void closeSink() {
        sink.close();
    }

    @Test
    void secretsAreSealedInTheDatabaseAndTheFilesAreOwnerOnly() throws Exception {
        String secret;
        try (Harness h = Harness.start(dir, SETTINGS, Harness.FIXED_ADMIN)) {
            secret = createWebhook(h, "sealed");
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("server.db"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secret.key"))))
                .isEqualTo("rw-------");
        String file = new String(Files.readAllBytes(dir.resolve("server.db")), StandardCharsets.ISO_8859_1);
        assertThat(file).doesNotContain("very-secret-credential").doesNotContain(secret);
        Map<String, String> row = row("sealed");
        assertThat(row.get("secret")).startsWith(SecretBox.PREFIX);
        assertThat(row.get("definition")).contains("sealedheaders").doesNotContain("Authorization");

        try (Harness h = Harness.start(dir, SETTINGS, Harness.FIXED_ADMIN)) {
            assertDelivers(h);
        }
    }

    @Test
    void plaintextRowsOfEarlierVersionsAreSealedAtStartAndStillDeliver() throws Exception {
        try (Harness h = Harness.start(dir, SETTINGS, Harness.FIXED_ADMIN)) {
            createWebhook(h, "legacy");
        }
        String plainSecret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
        String plainDefinition = "{\"id\":\"legacy\",\"types\":[\"ci.*\"],\"sink\":\"" + sink.url("/hook")
                + "\",\"protocol\":\"HTTP\",\"protocolsettings\":{\"method\":\"POST\",\"headers\":"
                + "{\"Authorization\":\"" + CREDENTIAL + "\"},\"contentmode\":\"binary\"}}";
        update("UPDATE api_subscriptions SET definition = ?, secret = ? WHERE id = 'legacy'",
                plainDefinition, plainSecret);

        try (Harness h = Harness.start(dir, SETTINGS, Harness.FIXED_ADMIN)) {
            Map<String, String> row = row("legacy");
            assertThat(row.get("secret")).startsWith(SecretBox.PREFIX);
            assertThat(row.get("definition")).doesNotContain("very-secret-credential");
            assertDelivers(h);
        }
    }

    @Test
    void theKeyRotatesWithThePreviousKeySetForOneStart() throws Exception {
        String keyA = Base64.getEncoder().encodeToString(SecretBox.generateKey());
        String keyB = Base64.getEncoder().encodeToString(SecretBox.generateKey());
        String idA = SecretBox.keyId(Base64.getDecoder().decode(keyA));
        String idB = SecretBox.keyId(Base64.getDecoder().decode(keyB));
        try (Harness h = start(c -> c.withSecretKeys(keyA, null))) {
            createWebhook(h, "rotated");
        }
        assertThat(row("rotated").get("secret")).startsWith(SecretBox.PREFIX + idA + ":");
        assertThat(dir.resolve("secret.key")).doesNotExist();

        assertThatThrownBy(() -> start(c -> c.withSecretKeys(keyB, null)))
                .isInstanceOf(SecretBoxException.class)
                .hasMessageContaining("sealed with key " + idA)
                .hasMessageContaining("HERALD_SECRET_KEY_PREVIOUS");

        try (Harness h = start(c -> c.withSecretKeys(keyB, keyA))) {
            assertThat(row("rotated").get("secret")).startsWith(SecretBox.PREFIX + idB + ":");
            assertThat(row("rotated").get("definition")).contains(idB).doesNotContain(idA);
        }
        try (Harness h = start(c -> c.withSecretKeys(keyB, null))) {
            assertDelivers(h);
        }
    }

    @Test
    void aSealedValueOpensOnlyUnalteredAndInItsOwnPlace() {
        SecretBox box = SecretBox.of(SecretBox.generateKey(), List.of());
        String sealed = box.seal("whsec_x", "api_subscriptions/a/secret");

        assertThat(box.seal("whsec_x", "api_subscriptions/a/secret")).isNotEqualTo(sealed); // random nonce
        assertThat(box.open(sealed, "api_subscriptions/a/secret")).isEqualTo("whsec_x");
        assertThatThrownBy(() -> box.open(sealed, "api_subscriptions/b/secret"))
                .isInstanceOf(SecretBoxException.class).hasMessageContaining("does not open");
        char last = sealed.charAt(sealed.length() - 3);
        String altered = sealed.substring(0, sealed.length() - 3) + (last == 'A' ? 'B' : 'A')
                + sealed.substring(sealed.length() - 2);
        assertThatThrownBy(() -> box.open(altered, "api_subscriptions/a/secret"))
                .isInstanceOf(SecretBoxException.class);
    }

    @Test
    void aBadKeyIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> ServerConfig.defaults().withSecretKeys("c2hvcnQ=", null))
                .hasMessageContaining("HERALD_SECRET_KEY must be the base64 of 32 random bytes, got 5 bytes");
    }

    private Harness start(UnaryOperator<ServerConfig> keys) {
        return Harness.start(dir, SETTINGS, Harness.FIXED_ADMIN, keys);
    }

    /** Creates a webhook with a credential header; returns its signing secret. */
    private String createWebhook(Harness h, String id) {
        Harness.Response created = h.postJson("/v1/subscriptions", h.adminToken, Map.of("id", id,
                "types", List.of("ci.*"), "sink", sink.url("/hook").toString(),
                "protocolsettings", Map.of("headers", Map.of("Authorization", CREDENTIAL))));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return created.json().path("secret").asText();
    }

    /** An event reaches the sink with the credential header, signed. */
    private void assertDelivers(Harness h) {
        assertThat(h.structured(h.adminToken, Harness.pipeline(1, null)).status()).isEqualTo(202);
        Sink.Received received = sink.next(Duration.ofSeconds(10));
        assertThat(received.header("Authorization")).isEqualTo(CREDENTIAL);
        assertThat(received.header("webhook-signature")).startsWith("v1,");
    }

    private Map<String, String> row(String id) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("server.db"));
             PreparedStatement query = c.prepareStatement(
                     "SELECT definition, secret FROM api_subscriptions WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return Map.of("definition", rs.getString(1), "secret", rs.getString(2));
            }
        }
    }

    private void update(String sql, String... values) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("server.db"));
             PreparedStatement update = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                update.setString(i + 1, values[i]);
            }
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }
}
