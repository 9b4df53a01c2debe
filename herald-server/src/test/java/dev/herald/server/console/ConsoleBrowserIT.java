package dev.herald.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console in a real headless Chromium against a real {@code herald serve} (the whole server, its
 * embedded store and a local webhook sink): sign in, live tail, causation chain, the subscription
 * form's field errors, redriving a dead letter, a project-restricted token's view, and no error in
 * the browser console anywhere. Each page is saved as a screenshot, light and dark, under
 * {@code target/console-screenshots/} (docs/console.md shows copies of them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "console-admin-token-0123456789abcdef0123456789";
    private static final String PROJECT_1 = "gid://gitlab/Project/1";
    private static final String PROJECT_2 = "gid://gitlab/Project/2";
    private static final String SOURCE = "https://gitlab.example.com/group/app";

    @TempDir
    static Path dir;

    private static HeraldServer server;
    private static Browser browser;
    private static HttpServer sink;
    private static final AtomicInteger SINK_STATUS = new AtomicInteger(500);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static String base;

    /** Problems the current test expects in the browser console (e.g. the network line of a provoked 400). */
    private final List<Predicate<String>> expectedProblems = new ArrayList<>();

    private static String causeId;
    private static String effectId;
    private static String webhookId;
    private static String restrictedToken;

    @BeforeAll
    static void start() throws IOException {
        server = HeraldServer.builder(ServerConfig.fromMap(Map.of(
                        ServerConfig.PORT.name(), "0", ServerConfig.HOST.name(), "127.0.0.1", ServerConfig.DATA.name(), dir.toString(),
                        ServerConfig.RATE_LIMIT.name(), "0", ServerConfig.SHUTDOWN_TIMEOUT.name(), "2s",
                        ServerConfig.WEBHOOKS_SSRF_ALLOW.name(), "127.0.0.1"))
                        .withInitialAdminToken(ADMIN))
                .firstStartOutput(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .start();
        base = "http://127.0.0.1:" + server.port();
        sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sink.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(SINK_STATUS.get(), -1);
            exchange.close();
        });
        sink.start();
        browser = Browser.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.close();
        }
        if (sink != null) {
            sink.stop(0);
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void drainConsole() {
        browser.consoleProblems();
    }

    @AfterEach
    void noConsoleErrors() {
        List<String> problems = browser.consoleProblems().stream()
                .filter(problem -> expectedProblems.stream().noneMatch(expected -> expected.test(problem)))
                .toList();
        assertThat(problems).as("errors in the browser console").isEmpty();
    }

    @Test
    @Order(1)
    void signsInWithAToken() {
        open("#/overview");
        browser.await(By.id("token")).sendKeys(ADMIN);
        browser.driver.findElement(By.id("sign-in")).click();
        browser.awaitText(By.cssSelector("main h1"), "Overview");
        assertThat(browser.driver.findElement(By.id("who-name")).getText()).contains("admin");
        assertThat((String) browser.driver.executeScript("return sessionStorage.getItem('herald.token')")).isEqualTo(ADMIN);
        assertThat(browser.driver.getCurrentUrl()).doesNotContain(ADMIN);
        assertThat(browser.driver.manage().getCookies()).isEmpty();
    }

    @Test
    @Order(2)
    void showsAPublishedEventInTheLiveTailWithinTwoSeconds() throws Exception {
        open("#/tail");
        browser.awaitText(By.id("tail-status"), "Following");
        String id = UUID.randomUUID().toString();
        long published = System.nanoTime();
        publish(event(id, "ci.pipeline.created", PROJECT_1, Map.of("pipeline_id", 41), Map.of()));
        browser.waitUpTo(Duration.ofSeconds(2)).until(d -> !d.findElements(By.cssSelector("tr[data-event-id='" + id + "']")).isEmpty());
        long millis = Duration.ofNanos(System.nanoTime() - published).toMillis();
        assertThat(millis).as("publish → visible in the tail").isLessThanOrEqualTo(2000);

        causeId = id;
        effectId = UUID.randomUUID().toString();
        publish(event(effectId, "ci.pipeline.finished", PROJECT_1, Map.of("pipeline_id", 41, "status", "success"),
                Map.of("causationid", causeId, "correlationid", "req-7")));
        browser.await(By.cssSelector("tr[data-event-id='" + effectId + "']"));
        browser.driver.findElement(By.id("tail-pause")).click();
        browser.awaitText(By.id("tail-status"), "Paused");
        String whilePaused = UUID.randomUUID().toString();
        publish(event(whilePaused, "ci.pipeline.created", PROJECT_2, Map.of("pipeline_id", 2), Map.of()));
        Thread.sleep(500);
        assertThat(browser.driver.findElements(By.cssSelector("tr[data-event-id='" + whilePaused + "']"))).isEmpty();
        browser.driver.findElement(By.id("tail-pause")).click();
        browser.await(By.cssSelector("tr[data-event-id='" + whilePaused + "']"));
        shoot("tail");
    }

    @Test
    @Order(3)
    void followsTheCausationChainBothWays() {
        open("#/tail");
        browser.awaitText(By.id("tail-status"), "Following");
        open("#/events?type=ci.*");
        browser.await(By.linkText("ci.pipeline.finished")).click();
        browser.awaitText(By.cssSelector("main h1"), effectId);
        browser.awaitText(By.id("causation"), "cause: ci.pipeline.created");
        shoot("event");
        browser.driver.findElement(By.cssSelector("#causation a[href='#/events/" + causeId + "']")).click();
        browser.awaitText(By.cssSelector("main h1"), causeId);
        browser.awaitText(By.id("causation"), "effect: ci.pipeline.finished");
        assertThat(browser.driver.findElement(By.id("causation")).getText()).contains(effectId);
        // the data tree and the schema version link
        assertThat(browser.driver.findElement(By.cssSelector(".json-tree")).getText()).contains("\"pipeline_id\": 41");
        browser.await(By.partialLinkText("ci.pipeline.created, latest")).click();
        browser.awaitText(By.cssSelector("main h1"), "ci.pipeline.created");
        browser.await(By.xpath("//td[text()='pipeline_id']"));
    }

    @Test
    @Order(4)
    void showsTheApisFieldErrorForABadSinkAndCreatesAWebhook() {
        open("#/subscriptions/new");
        browser.await(By.id("sub-types")).sendKeys("ci.*");
        browser.driver.findElement(By.id("sub-sink")).sendKeys("http://169.254.169.254/latest");
        browser.driver.findElement(By.id("save-subscription")).click();
        expectedProblems.add(problem -> problem.contains("/v1/subscriptions") && problem.contains("400"));
        WebElement error = browser.await(By.id("sub-sink-error"));
        assertThat(error.getText()).contains("refused").contains("169.254.169.254");
        assertThat(browser.driver.findElement(By.id("sub-sink")).getAttribute("aria-invalid")).isEqualTo("true");
        shoot("subscription-form");

        WebElement sinkField = browser.driver.findElement(By.id("sub-sink"));
        sinkField.clear();
        sinkField.sendKeys("http://127.0.0.1:" + sink.getAddress().getPort() + "/hooks");
        browser.driver.findElement(By.id("sub-id")).sendKeys("ci-hooks");
        browser.driver.findElement(By.id("sub-maxAttempts")).sendKeys("1");
        browser.driver.findElement(By.id("save-subscription")).click();
        assertThat(browser.await(By.cssSelector("#created-secret code")).getText()).startsWith("whsec_");
        webhookId = "ci-hooks";
    }

    @Test
    @Order(5)
    void redrivesADeadLetterAndTheCountDrops() throws Exception {
        SINK_STATUS.set(500);
        String id = UUID.randomUUID().toString();
        publish(event(id, "ci.pipeline.created", PROJECT_1, Map.of("pipeline_id", 77), Map.of()));
        open("#/subscriptions");
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> "1".equals(d.findElement(
                By.cssSelector("tr[data-subscription='" + webhookId + "'] td[data-dead-letters]")).getAttribute("data-dead-letters")));
        shoot("subscriptions");
        open("#/subscriptions/" + webhookId);
        browser.awaitText(By.id("dead-letter-total"), "1");
        browser.click(By.cssSelector("#dead-letters button.secondary")); // Show
        browser.awaitText(By.id("dead-letter"), "HTTP 500");
        shoot("subscription");

        SINK_STATUS.set(204);
        browser.click(By.cssSelector("#dead-letters button[aria-label^='Redrive dead letter']"));
        browser.awaitText(By.id("dead-letter-total"), "0");
        browser.awaitText(By.id("stat-dead-letters"), "0");
    }

    @Test
    @Order(6)
    void rendersSchemasWithADiffAndItsVerdict() {
        open("#/schemas");
        browser.await(By.linkText("ci.pipeline.finished"));
        shoot("schemas");
        browser.await(By.linkText("ci.pipeline.finished")).click();
        WebElement verdicts = browser.await(By.cssSelector("#diff tr[data-mode='BACKWARD']"));
        assertThat(verdicts.getText()).containsAnyOf("compatible", "incompatible");
        browser.await(By.cssSelector("#diff .diff-added, #diff .diff-changed, #diff .diff-removed"));
        shoot("schema");
    }

    @Test
    @Order(7)
    void createsAProjectRestrictedTokenShownOnce() {
        open("#/tokens");
        browser.await(By.id("token-name")).sendKeys("project 1 reader");
        browser.driver.findElement(By.id("token-scopes")).sendKeys("subscribe:*");
        browser.driver.findElement(By.id("token-project")).sendKeys(PROJECT_1);
        browser.driver.findElement(By.id("create-token")).click();
        restrictedToken = browser.await(By.cssSelector("#created-token code")).getText();
        assertThat(restrictedToken).startsWith("hrld_");
        shoot("tokens");
    }

    @Test
    @Order(8)
    void aProjectRestrictedTokenSeesNoOtherProjectsEvents() throws Exception {
        publish(event(UUID.randomUUID().toString(), "ci.pipeline.created", PROJECT_2, Map.of("pipeline_id", 3), Map.of()));
        browser.driver.findElement(By.id("sign-out")).click();
        assertThat((Object) browser.driver.executeScript("return sessionStorage.getItem('herald.token')")).isNull();
        browser.await(By.id("token")).sendKeys(restrictedToken);
        browser.driver.findElement(By.id("sign-in")).click();
        browser.await(By.id("who-name"));
        assertThat(browser.driver.findElement(By.cssSelector("[data-admin-only]")).isDisplayed()).isFalse();

        open("#/events");
        browser.await(By.xpath("//td[text()='" + PROJECT_1 + "']"));
        assertThat(browser.driver.findElement(By.tagName("main")).getText()).doesNotContain(PROJECT_2);

        open("#/tail");
        browser.awaitText(By.id("tail-status"), "Following");
        String other = UUID.randomUUID().toString();
        String own = UUID.randomUUID().toString();
        publish(event(other, "ci.pipeline.created", PROJECT_2, Map.of("pipeline_id", 4), Map.of()));
        publish(event(own, "ci.pipeline.created", PROJECT_1, Map.of("pipeline_id", 5), Map.of()));
        browser.await(By.cssSelector("tr[data-event-id='" + own + "']"));
        assertThat(browser.driver.findElements(By.cssSelector("tr[data-event-id='" + other + "']"))).isEmpty();
        assertThat(browser.driver.findElement(By.tagName("main")).getText()).doesNotContain(PROJECT_2);

        open("#/events/" + other);
        browser.await(By.cssSelector(".alert.warn"));
        assertThat(browser.driver.findElement(By.tagName("main")).getText()).doesNotContain(PROJECT_2);
        open("#/overview");
        browser.await(By.id("card-backlog"));
    }

    @Test
    @Order(9)
    void everyPageInDarkMode() throws Exception {
        browser.driver.findElement(By.id("sign-out")).click();
        browser.await(By.id("token")).sendKeys(ADMIN);
        browser.driver.findElement(By.id("sign-in")).click();
        browser.await(By.id("card-publish"));
        publish(event(UUID.randomUUID().toString(), "ci.pipeline.created", PROJECT_1, Map.of("pipeline_id", 9), Map.of()));
        Thread.sleep(4500); // a few samples for the charts
        shoot("overview");
        for (String[] page : new String[][] {{"#/events", "events"}, {"#/subscriptions/" + webhookId, "subscription"},
                {"#/schemas/ci.pipeline.finished", "schema"}, {"#/tokens", "tokens"}, {"#/events/" + causeId, "event"}}) {
            open(page[0]);
            browser.await(By.cssSelector("main h1"));
            Thread.sleep(700);
            shoot(page[1]);
        }
        browser.colorScheme("dark");
        try {
            open("#/overview");
            browser.await(By.id("card-publish"));
            Thread.sleep(4500);
            browser.screenshot("overview-dark");
            for (String[] page : new String[][] {{"#/events", "events"}, {"#/subscriptions/" + webhookId, "subscription"},
                    {"#/schemas/ci.pipeline.finished", "schema"}, {"#/events/" + causeId, "event"}, {"#/tail", "tail"}}) {
                open(page[0]);
                browser.await(By.cssSelector("main h1"));
                Thread.sleep(700);
                browser.screenshot(page[1] + "-dark");
            }
        } finally {
            browser.colorScheme("light");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void open(String hash) {
        String url = base + "/console/" + hash;
        if (browser.driver.getCurrentUrl().startsWith(base + "/console/")) {
            browser.driver.executeScript("window.location.hash = arguments[0]", hash);
        } else {
            browser.driver.get(url);
        }
    }

    private static void shoot(String name) {
        browser.screenshot(name);
    }

    private static ObjectNode event(String id, String type, String project, Map<String, Object> data, Map<String, String> extensions) {
        ObjectNode event = JSON.createObjectNode();
        event.put("specversion", "1.0").put("id", id).put("source", SOURCE).put("type", type)
                .put("time", Instant.now().toString()).put("project", project).put("subject", "gid://gitlab/Pipeline/" + data.get("pipeline_id"))
                .put("datacontenttype", "application/json");
        extensions.forEach(event::put);
        event.set("data", JSON.valueToTree(data));
        return event;
    }

    private static void publish(ObjectNode event) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(event.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
