package dev.herald.example;

import dev.herald.event.Provenance;
import dev.herald.example.audit.AuditTrail;
import dev.herald.example.ci.Pipelines;
import dev.herald.example.mergerequests.MergeRequestBot;
import dev.herald.example.notifications.Notifier;
import dev.herald.example.repository.Repositories;
import dev.herald.example.repository.Repositories.Commit;
import dev.herald.example.security.Scanner;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.transport.embedded.EmbeddedTransport;
import io.cloudevents.CloudEvent;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Wires GitLab-lite's domains to one {@link EventStore} and plays a short scenario: a feature branch
 * push that leaks a secret (its pipeline passes, the scanner reports the secret, the merge request
 * is approved) and a work-in-progress push to main (its pipeline fails, nothing follows).
 */
public final class GitLabLite implements AutoCloseable {

    private static final String BASE_URL = "https://gitlab.example.com";
    private static final String PROJECT_PATH = "acme/shop";
    private static final int PROJECT_ID = 392359;

    private final EventStore events;
    private final Repositories repositories;
    private final MergeRequestBot mergeRequests;
    private final Notifier notifier;
    private final AuditTrail audit;

    /** Starts every domain's subscriptions on {@code events}; messages for people go to {@code out}. */
    public GitLabLite(EventStore events, PrintStream out) {
        this.events = events;
        this.repositories = new Repositories(events, BASE_URL);
        this.mergeRequests = new MergeRequestBot(events, BASE_URL);
        this.notifier = new Notifier(events, message -> out.println("  notify " + message));
        this.audit = new AuditTrail(events);
        new Pipelines(events, BASE_URL).start();
        new Scanner(events, BASE_URL).start();
        mergeRequests.start();
        notifier.start();
        audit.start();
    }

    /** The store the domains share. */
    public EventStore events() {
        return events;
    }

    /** The repository domain, for pushes. */
    public Repositories repositories() {
        return repositories;
    }

    /** The merge-request domain. */
    public MergeRequestBot mergeRequests() {
        return mergeRequests;
    }

    /** The notifications domain. */
    public Notifier notifier() {
        return notifier;
    }

    /** The audit domain. */
    public AuditTrail audit() {
        return audit;
    }

    /** A push inside a correlation scope named after the request, as a web controller would do it. */
    public CloudEvent push(String requestId, String branch, List<Commit> commits) throws Exception {
        return Provenance.withCorrelationId(requestId, () -> repositories.push(PROJECT_ID, PROJECT_PATH, branch,
                "0".repeat(39) + "1", 4, "jsmith", commits));
    }

    /** Plays the scenario and prints what happened. */
    public void playScenario(PrintStream out) throws Exception {
        int notificationsBefore = notifier.sent().size();
        mergeRequests.open(7, "feature/login");

        out.println("push 1: feature/login (adds a login form and, by mistake, config/.env)");
        push("req-push-1", "feature/login", List.of(
                new Commit("a".repeat(40), "Add .env for local runs", "Add .env for local runs", List.of("config/.env"),
                        List.of()),
                new Commit("b".repeat(40), "Add login form", "Add login form", List.of("app/login.rb"), List.of())));
        out.println("push 2: main (a work-in-progress commit; its pipeline fails)");
        push("req-push-2", "main", List.of(new Commit("c".repeat(40), "WIP: refactor checkout", "WIP", List.of(),
                List.of("app/checkout.rb"))));

        // Done when people were told and the audit trail recorded both chains: push 1 causes 4 events
        // (pipeline created and finished, a finding, an approval), push 2 causes 2.
        awaitUntil(() -> notifier.sent().size() >= notificationsBefore + 2
                && audit.causalTree("req-push-1").size() >= 5
                && audit.causalTree("req-push-2").size() >= 3, Duration.ofSeconds(30));
        for (String request : List.of("req-push-1", "req-push-2")) {
            out.println();
            out.println("what " + request + " caused (from the causationid chain):");
            audit.causalTree(request).forEach(line -> out.println("  " + line));
        }
    }

    private static void awaitUntil(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the scenario did not complete within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** Stops the domains' subscriptions (draining running handlers) and closes the store. */
    @Override
    public void close() {
        events.close();
    }

    /**
     * Runs the scenario on the embedded store in {@code dataDir} (created if missing) and prints it.
     * Subscriptions are durable: running it again resumes them where they stopped.
     */
    public static void run(Path dataDir, PrintStream out) throws Exception {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("gitlab-lite.db");
        out.println("GitLab-lite on Herald — embedded store " + file.toAbsolutePath());
        out.println();
        EventStore events = EventStore.builder(EmbeddedTransport.open(file), SchemaRegistry.builtinCatalog()).build();
        try (GitLabLite app = new GitLabLite(events, out)) {
            app.playScenario(out);
        }
    }

    /** {@code java dev.herald.example.GitLabLite [DATA_DIR]} */
    public static void main(String[] args) throws Exception {
        run(Path.of(args.length > 0 ? args[0] : "herald-data"), System.out);
    }
}
