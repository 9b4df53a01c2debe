package dev.herald.gitlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audit event streaming destinations on a real server, delivering to a real HTTP receiver. */
class AuditStreamingTest {

    @TempDir
    Path data;
    GitLabServer gitlab;
    HttpServer receiver;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final List<String> tokens = new CopyOnWriteArrayList<>();
    final AtomicInteger status = new AtomicInteger(200);
    final AtomicInteger attempts = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        gitlab = new GitLabServer(data);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/audit", exchange -> {
            attempts.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            int answer = status.get();
            if (answer == 200) {
                received.add(GitLabServer.JSON.readTree(new String(body, StandardCharsets.UTF_8)));
                tokens.add(exchange.getRequestHeaders().getFirst(AuditDestinations.TOKEN_HEADER));
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        gitlab.close();
    }

    String url() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/audit";
    }

    void createDestination(String id, String namespace, List<String> types, String token) {
        ObjectNode definition = AuditDestinations.definition(id, url(), namespace, types, token);
        definition.putObject("delivery").put("maxAttempts", 3).put("startAt", "earliest")
                .putObject("backoff").put("min", "20ms").put("max", "50ms");
        GitLabServer.Response created = gitlab.send("POST", "/v1/subscriptions",
                Map.of("Authorization", "Bearer " + GitLabServer.ADMIN), definition.toString());
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        assertThat(created.body().path("protocolsettings").path("headers").path(AuditDestinations.TOKEN_HEADER)
                .asText()).as("the token is never shown again").isEqualTo("<redacted>");
    }

    /** An audit event as GitLab streams it, published with its namespace path and audit event type. */
    String publishAudit(String entityPath, String eventType) {
        String id = UUID.randomUUID().toString();
        ObjectNode event = GitLabServer.JSON.createObjectNode();
        event.put("specversion", "1.0").put("id", id).put("source", "https://gitlab.example.com")
                .put("type", AuditDestinations.TYPE).put("time", "2026-12-05T16:50:24.012Z").put("subject", "gid://gitlab/AuditEvents::GroupAuditEvent/" + id)
                .put("authtype", "app_user").put("authid", "gid://gitlab/User/1")
                .put(GitLabAttributes.NAMESPACE, entityPath).put(GitLabAttributes.AUDIT_EVENT_TYPE, eventType);
        ObjectNode audit = event.putObject("data");
        audit.put("id", id).put("author_id", 1).put("author_name", "Administrator").put("entity_id", 6)
                .put("entity_type", "Group").put("entity_path", entityPath).put("target_id", 29)
                .put("target_type", "Ci::Runner").put("target_details", "runner-1").put("ip_address", "127.0.0.1")
                .put("event_type", eventType).put("created_at", "2026-12-05T16:50:24.012Z");
        audit.putObject("details").put("author_name", "Administrator").put("entity_path", entityPath);
        GitLabServer.Response response = gitlab.send("POST", "/v1/events", Map.of("Authorization", "Bearer "
                + GitLabServer.ADMIN, "Content-Type", "application/cloudevents+json"), event.toString());
        assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
        return id;
    }

    @Test
    void aGroupsDestinationReceivesItsDescendantsWithTheTokenAndNotItsSiblings() {
        String token = AuditDestinations.newVerificationToken();
        createDestination("acme-audit", "acme", List.of(), token);

        String group = publishAudit("acme", "user_created");
        String project = publishAudit("acme/platform/api", "ci_runner_registered");
        publishAudit("acme-sandbox", "user_created");
        publishAudit("other/acme", "user_created");
        String last = publishAudit("acme/platform", "group_renamed");

        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 3);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> received.size() == 3);
        assertThat(received).extracting(e -> e.path("id").asText()).containsExactlyInAnyOrder(group, project, last);
        assertThat(tokens).containsOnly(token);
    }

    @Test
    void aDestinationFiltersByAuditEventType() {
        createDestination("runners", "acme", List.of("ci_runner_registered"), AuditDestinations.newVerificationToken());

        publishAudit("acme", "user_created");
        String runner = publishAudit("acme/platform/api", "ci_runner_registered");

        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 1);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
        assertThat(received.getFirst().path("id").asText()).isEqualTo(runner);
    }

    @Test
    void aFailingDestinationIsRetriedThenDeadLetteredThenRedriven() {
        createDestination("flaky", "acme", List.of(), AuditDestinations.newVerificationToken());
        status.set(503);

        String id = publishAudit("acme/platform", "user_created");

        Map<String, String> admin = Map.of("Authorization", "Bearer " + GitLabServer.ADMIN);
        await().atMost(Duration.ofSeconds(20)).until(() -> gitlab.send("GET", "/v1/subscriptions/flaky/dead-letters",
                admin, null).body().path("total").asInt() == 1);
        assertThat(attempts.get()).as("every attempt of maxAttempts").isEqualTo(3);
        JsonNode dead = gitlab.send("GET", "/v1/subscriptions/flaky/dead-letters", admin, null).body()
                .path("items").get(0);
        assertThat(dead.path("eventId").asText()).isEqualTo(id);
        assertThat(received).isEmpty();

        status.set(200);
        GitLabServer.Response redrive = gitlab.send("POST", "/v1/subscriptions/flaky/dead-letters/redrive", admin,
                "{\"all\": true}");

        assertThat(redrive.status()).as(redrive.body().toString()).isLessThan(300);
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
        assertThat(received.getFirst().path("id").asText()).isEqualTo(id);
    }
}
