package dev.herald.server.subscriptions;

import dev.herald.dispatch.EventHandler;
import dev.herald.event.JsonEvents;
import dev.herald.filter.Filter;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.state.ServerDatabase;
import dev.herald.server.subscriptions.SubscriptionException.Conflict;
import dev.herald.server.subscriptions.SubscriptionException.Conflict.Reason;
import dev.herald.server.webhook.SsrfGuard;
import dev.herald.server.webhook.WebhookSecret;
import dev.herald.server.webhook.WebhookSender;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import dev.herald.store.Subscription;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the subscription resources and what runs for them: a dispatcher with a webhook handler for
 * each active HTTP subscription, the streaming-pull sessions of PULL subscriptions. Restores and
 * restarts every stored subscription when created; positions live in the transport, so a restart
 * resumes where delivery stopped.
 *
 * <p>A subscription runs iff it is active: pausing or disabling stops its dispatcher (in-flight
 * deliveries are released for redelivery later), resuming or enabling starts it again.
 *
 * <p>When instances share the state, each runs every active webhook subscription (the transport's
 * consumer groups or leases share the deliveries out) and follows the others' changes through the
 * state's change feed: every change is announced as {@code subscriptions:<id>}, and each instance
 * reloads that row and starts, restarts or stops what runs for it ({@link #follow}). Health is then
 * counted in the shared row itself (one atomic update per failed delivery, and one per recovery), so
 * auto-disable sees the failures of every instance; a single instance keeps counting in memory and
 * saves every {@value #SAVE_FAILURES_EVERY} failures.
 */
final class SubscriptionManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionManager.class);
    /** Persist the failure count at most every this many failures (and at every state change). */
    private static final int SAVE_FAILURES_EVERY = 10;
    /** The change feed topic prefix of a subscription: {@code subscriptions:<id>}. */
    static final String CHANGE_TOPIC = "subscriptions:";

    private final EventStore store;
    private final SubscriptionRepository repository;
    private final SubscriptionSettings settings;
    private final SubscriptionRequests requests;
    private final WebhookSender sender;
    private final PullStreams pulls;
    private final ReadActivity reads;
    private final Map<String, Managed> subscriptions = new ConcurrentSkipListMap<>();
    private final ScheduledExecutorService housekeeping;
    private final ServerDatabase db;
    /** Whether other instances share the state: health is then counted in the stored row. */
    private final boolean sharedHealth;
    private final ReentrantLock creating = new ReentrantLock();

    SubscriptionManager(EventStore store, ServerDatabase db, SubscriptionSettings settings) {
        this.store = store;
        this.settings = settings;
        this.db = db;
        this.sharedHealth = db.shared();
        this.repository = new SubscriptionRepository(db);
        SsrfGuard guard = settings.ssrfGuard() ? SsrfGuard.withAllowList(settings.ssrfAllowList())
                : SsrfGuard.disabled();
        this.requests = new SubscriptionRequests(settings, store.transport().capabilities(), store.transport().name(),
                guard);
        this.sender = new WebhookSender(guard, settings.webhookConnectTimeout(), settings.webhookReadTimeout(),
                settings.clock(), SubscriptionRequests.MAX_CONCURRENCY);
        this.reads = new ReadActivity(db);
        this.pulls = new PullStreams(store.transport(), settings, reads);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual()
                .name("herald-subscriptions-housekeeping").factory());
        restore();
        long every = Math.max(1000, Math.min(30_000, settings.ephemeralTtl().toMillis() / 4));
        housekeeping.scheduleWithFixedDelay(this::removeAbandonedEphemerals, every, every, TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(this::restartStalled, 5, 5, TimeUnit.SECONDS);
        if (settings.limits().pullExpires()) {
            long expiryEvery = Math.max(1000, Math.min(60_000, settings.limits().pullExpireAfter().toMillis() / 4));
            housekeeping.scheduleWithFixedDelay(this::expireUnreadPulls, expiryEvery, expiryEvery,
                    TimeUnit.MILLISECONDS);
        }
        db.onChange(this::follow);
    }

    /** Follows a change another instance made: {@code subscriptions:<id>}, or everything on a resync. */
    private void follow(String topic) {
        if (topic.equals(ServerDatabase.RESYNC)) {
            Set<String> stored = new HashSet<>();
            for (SubscriptionRepository.Row row : repository.all()) {
                stored.add(row.id());
                follow(row.id(), Optional.of(row));
            }
            for (String id : List.copyOf(subscriptions.keySet())) {
                if (!stored.contains(id)) {
                    follow(id, Optional.empty());
                }
            }
        } else if (topic.startsWith(CHANGE_TOPIC)) {
            String id = topic.substring(CHANGE_TOPIC.length());
            follow(id, repository.find(id));
        }
    }

    private void follow(String id, Optional<SubscriptionRepository.Row> row) {
        try {
            Managed managed = subscriptions.get(id);
            if (row.isEmpty()) {
                if (managed != null) {
                    managed.forget();
                    LOG.info("subscription {} deleted on another instance", id);
                }
                return;
            }
            SubscriptionRecord stored = row.get().complete().apply(requests.read(row.get().definition(),
                    SubscriptionRequests.Mode.RESTORE, null, null).definition());
            if (managed == null) {
                Managed added = new Managed(stored);
                if (subscriptions.putIfAbsent(id, added) == null) {
                    synchronized (added) {
                        if (stored.status() == Status.ACTIVE) {
                            added.start();
                        }
                    }
                    LOG.info("subscription {} created on another instance", id);
                }
            } else {
                managed.follow(stored);
            }
        } catch (RuntimeException e) {
            LOG.warn("subscription {}: cannot follow a change made on another instance: {}", id, e.toString());
        }
    }

    /** Tells the other instances that a subscription changed. */
    private void announce(String id) {
        db.changed(CHANGE_TOPIC + id);
    }

    /**
     * Starts again the dispatcher of any active webhook subscription that has none (its start failed,
     * say the transport was briefly unavailable, or its dispatcher died): "active" must mean delivering.
     */
    private void restartStalled() {
        for (Managed managed : List.copyOf(subscriptions.values())) {
            try {
                managed.restartIfStalled();
            } catch (RuntimeException e) {
                LOG.warn("subscription {}: cannot start delivery, retrying in 5 s: {}", managed.id(), e.toString());
            }
        }
    }

    static String transportName(String id) {
        return "api." + id;
    }

    SubscriptionRequests requests() {
        return requests;
    }

    PullStreams pulls() {
        return pulls;
    }

    Instant now() {
        return settings.clock().instant();
    }

    /** Every subscription, by id. */
    Collection<Managed> all() {
        return subscriptions.values();
    }

    Optional<Managed> find(String id) {
        return Optional.ofNullable(subscriptions.get(id));
    }

    private void restore() {
        int restored = 0;
        for (SubscriptionRepository.Row row : repository.all()) {
            SubscriptionRecord record;
            try {
                SubscriptionDefinition definition = requests.read(row.definition(), SubscriptionRequests.Mode.RESTORE,
                        null, null).definition();
                record = row.complete().apply(definition);
            } catch (RuntimeException e) {
                LOG.error("subscription {}: cannot read its stored definition, left stopped: {}", row.id(),
                        e.getMessage());
                continue;
            }
            Managed managed = new Managed(record);
            subscriptions.put(record.id(), managed);
            try {
                ensureTransportSubscription(record.definition());
                if (record.status() == Status.ACTIVE) {
                    synchronized (managed) {
                        managed.start();
                    }
                }
                restored++;
            } catch (RuntimeException e) {
                LOG.error("subscription {}: cannot be restarted: {}", record.id(), e.toString());
            }
        }
        LOG.info("restored {} subscriptions", restored);
    }

    /**
     * Creates a subscription; refused as {@link SubscriptionException.Conflict} when the id is taken,
     * as {@link SubscriptionException.LimitReached} when the token has as many as
     * {@link SubscriptionLimits#subscriptionsPerToken()} allows.
     */
    Created create(SubscriptionRequests.Parsed parsed, String createdBy, Optional<String> project) {
        // Counting and inserting under one lock, so that parallel creates cannot overshoot the limit.
        creating.lock();
        try {
            long owned = subscriptions.values().stream().filter(m -> createdBy.equals(m.record().createdBy())).count();
            int limit = settings.limits().subscriptionsPerToken();
            if (owned >= limit) {
                throw new SubscriptionException.LimitReached(ServerConfig.LIMITS_SUBSCRIPTIONS_PER_TOKEN.name(),
                        "at most " + limit + " subscriptions per token", owned, "token " + createdBy + " already has "
                        + owned + " subscriptions, the most " + ServerConfig.LIMITS_SUBSCRIPTIONS_PER_TOKEN.name()
                        + " allows; delete one first");
            }
            return createUnlimited(parsed, createdBy, project);
        } finally {
            creating.unlock();
        }
    }

    private Created createUnlimited(SubscriptionRequests.Parsed parsed, String createdBy, Optional<String> project) {
        SubscriptionDefinition definition = parsed.definition();
        Instant now = now();
        WebhookSecret secret = definition.protocol() == Protocol.HTTP
                ? parsed.secret().orElseGet(WebhookSecret::generate) : null;
        SubscriptionRecord record = new SubscriptionRecord(definition, project.orElse(null), createdBy, now, now,
                Status.ACTIVE, null, now, secret, null, null, SubscriptionRecord.Health.NEW);
        Managed managed = new Managed(record);
        if (subscriptions.putIfAbsent(definition.id(), managed) != null || !repository.insert(record)) {
            subscriptions.remove(definition.id(), managed);
            throw new Conflict(Reason.EXISTS, "a subscription with id " + definition.id()
                    + " already exists; choose another id or update it with PUT /v1/subscriptions/" + definition.id());
        }
        try {
            ensureTransportSubscription(definition);
            synchronized (managed) {
                managed.start();
            }
        } catch (RuntimeException e) {
            subscriptions.remove(definition.id());
            repository.delete(definition.id());
            store.transport().deleteSubscription(transportName(definition.id()));
            throw e;
        }
        announce(definition.id());
        LOG.info("subscription {} created ({} {}, by token {})", definition.id(), definition.protocol(),
                definition.sink() == null ? "stream" : shown(definition.sink()), createdBy);
        return new Created(managed, secret);
    }

    /** What a create returns: the subscription, and its secret (shown this once). */
    record Created(Managed managed, WebhookSecret secret) {
    }

    private void ensureTransportSubscription(SubscriptionDefinition definition) {
        store.transport().createSubscription(new SubscriptionSpec(transportName(definition.id()),
                definition.topic(settings.defaultTopic()), definition.delivery().startAt(),
                definition.delivery().ordered(), definition.delivery().delay()));
    }

    /** Deletes a subscription with its position and dead letters. */
    void delete(Managed managed) {
        synchronized (managed) {
            managed.deleted = true;
            managed.stop();
            managed.awaitStopped();
            pulls.closeAll(managed.id());
            store.unsubscribe(transportName(managed.id()));
            repository.delete(managed.id());
            reads.delete(managed.id());
            subscriptions.remove(managed.id(), managed);
        }
        announce(managed.id());
        LOG.info("subscription {} deleted", managed.id());
    }

    /** A stream of our own: closes everything. */
    @Override
    public void close() {
        housekeeping.shutdownNow();
        pulls.close();
        List.copyOf(subscriptions.values()).parallelStream().forEach(managed -> {
            synchronized (managed) {
                managed.stop();
                managed.awaitStopped();
                managed.saveHealth();
            }
        });
        sender.close();
    }

    private void removeAbandonedEphemerals() {
        Instant cutoff = now().minus(settings.ephemeralTtl());
        for (Managed managed : List.copyOf(subscriptions.values())) {
            SubscriptionRecord record = managed.record();
            if (!record.definition().ephemeral() || pulls.connected(managed.id()) > 0) {
                continue;
            }
            Instant lastActive = pulls.lastActive(managed.id()).orElse(record.createdAt());
            if (lastActive.isBefore(cutoff)) {
                try {
                    delete(managed);
                    LOG.info("ephemeral subscription {} removed: no stream since {}", managed.id(), lastActive);
                } catch (RuntimeException e) {
                    LOG.warn("ephemeral subscription {}: removal failed: {}", managed.id(), e.toString());
                }
            }
        }
    }

    /**
     * Deletes the PULL subscriptions no stream has read for {@link SubscriptionLimits#pullExpireAfter()}
     * (as Pub/Sub expires idle subscriptions): a subscription nobody reads would otherwise hold its
     * backlog, and the transport's retention with it, forever. A subscription never read counts from
     * its creation; one with a stream connected never expires.
     */
    private void expireUnreadPulls() {
        try {
            Instant cutoff = now().minus(settings.limits().pullExpireAfter());
            Map<String, Instant> lastReads = reads.all();
            for (Managed managed : List.copyOf(subscriptions.values())) {
                SubscriptionRecord record = managed.record();
                if (record.definition().protocol() != Protocol.PULL || record.definition().ephemeral()
                        || pulls.connected(managed.id()) > 0) {
                    continue;
                }
                Instant lastRead = lastReads.getOrDefault(managed.id(), record.createdAt());
                if (lastRead.isBefore(cutoff)) {
                    delete(managed);
                    LOG.info("subscription {} expired and deleted: PULL, not read since {} ({} = {})", managed.id(),
                            lastRead, ServerConfig.PULL_EXPIRE_AFTER.name(),
                            Durations.format(settings.limits().pullExpireAfter()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("expiring unread PULL subscriptions failed, trying again later: {}", e.toString());
        }
    }

    /** One subscription: its record and, when active, what runs for it. */
    final class Managed {

        private volatile SubscriptionRecord record;
        private volatile Filter filter;
        private volatile boolean deleted;
        /** The running webhook dispatcher (HTTP, active); changed only while holding this. */
        private volatile Subscription running;
        /** A dispatcher being stopped in the background; guarded by this. */
        private CompletableFuture<Void> stopping = CompletableFuture.completedFuture(null);
        private final AtomicInteger consecutiveFailures;
        private volatile Instant failingSince;
        private volatile String lastError;
        private volatile Instant lastFailureAt;
        private volatile Instant lastSuccessAt;

        private Managed(SubscriptionRecord record) {
            this.record = record;
            this.filter = record.definition().effectiveFilter(record.projectRestriction());
            SubscriptionRecord.Health health = record.health();
            this.consecutiveFailures = new AtomicInteger(health.consecutiveFailures());
            this.failingSince = health.failingSince();
            this.lastError = health.lastError();
            this.lastFailureAt = health.lastFailureAt();
            this.lastSuccessAt = health.lastSuccessAt();
        }

        String id() {
            return record.id();
        }

        String transportName() {
            return SubscriptionManager.transportName(record.id());
        }

        SubscriptionRecord record() {
            return record;
        }

        Filter filter() {
            return filter;
        }

        boolean deleted() {
            return deleted;
        }

        SubscriptionRecord.Health health() {
            return new SubscriptionRecord.Health(consecutiveFailures.get(), failingSince, lastError, lastFailureAt,
                    lastSuccessAt);
        }

        /** Backlog, in flight and dead letters as the transport reports them (zeros if it cannot). */
        SubscriptionStats stats() {
            try {
                return store.transport().stats(transportName());
            } catch (RuntimeException e) {
                LOG.debug("subscription {}: no stats: {}", id(), e.toString());
                return new SubscriptionStats(0, 0, 0);
            }
        }

        Transport transport() {
            return store.transport();
        }

        dev.herald.store.DeadLetters deadLetters() {
            return store.deadLetters(transportName());
        }

        /** Replaces the definition (PUT/PATCH), restarting delivery when it runs. */
        synchronized void replace(SubscriptionDefinition definition) {
            SubscriptionRecord updated = record.withDefinition(definition, now());
            store(updated);
            boolean wasRunning = running != null;
            if (wasRunning) {
                stop();
                awaitStopped();
            }
            record = updated;
            filter = definition.effectiveFilter(record.projectRestriction());
            ensureTransportSubscription(definition);
            if (wasRunning || (record.status() == Status.ACTIVE && definition.protocol() == Protocol.HTTP)) {
                start();
            }
            announce(id());
            LOG.info("subscription {} updated", id());
        }

        /** Pauses a subscription (a conflict when disabled: enable it instead). */
        synchronized void pause(String reason) {
            if (record.status() == Status.DISABLED) {
                throw new Conflict(Reason.DISABLED, "subscription " + id() + " is disabled ("
                        + record.statusReason() + "); POST /v1/subscriptions/" + id() + "/enable to deliver again");
            }
            if (record.status() == Status.PAUSED) {
                return;
            }
            setStatus(Status.PAUSED, reason);
            stop();
            awaitStopped();
            LOG.info("subscription {} paused", id());
        }

        /** Resumes a paused subscription (a conflict when disabled). */
        synchronized void resume() {
            if (record.status() == Status.DISABLED) {
                throw new Conflict(Reason.DISABLED, "subscription " + id() + " was disabled by Herald ("
                        + record.statusReason() + "); fix the sink, then POST /v1/subscriptions/" + id()
                        + "/enable");
            }
            if (record.status() == Status.ACTIVE) {
                return;
            }
            startOrFail();
            setStatus(Status.ACTIVE, null);
            LOG.info("subscription {} resumed", id());
        }

        /** Enables a disabled subscription, clearing its failure count (a conflict when paused). */
        synchronized void enable() {
            if (record.status() == Status.PAUSED) {
                throw new Conflict(Reason.PAUSED, "subscription " + id() + " is paused, not disabled; "
                        + "POST /v1/subscriptions/" + id() + "/resume");
            }
            if (record.status() == Status.ACTIVE) {
                return;
            }
            startOrFail();
            consecutiveFailures.set(0);
            failingSince = null;
            if (sharedHealth) {
                repository.recordSuccess(id(), null);
            }
            setStatus(Status.ACTIVE, null);
            LOG.info("subscription {} enabled", id());
        }

        /**
         * Disables an active subscription. Called from delivery threads, so it never waits for this
         * object's lock (a pause or update holding it may be waiting for those very threads): the
         * dispatcher stops taking events at once, the status changes on another thread.
         */
        void disable(String reason) {
            Subscription current = running;
            if (current != null) {
                current.pause();
            }
            Thread.ofVirtual().name("herald-disable-" + id()).start(() -> {
                synchronized (this) {
                    if (record.status() != Status.ACTIVE || deleted) {
                        return;
                    }
                    setStatus(Status.DISABLED, reason);
                    stop();
                }
                LOG.warn("subscription {} disabled: {}", id(), reason);
            });
        }

        /** Rotates the signing secret; the previous one keeps signing for the grace period. */
        synchronized WebhookSecret rotateSecret(Optional<WebhookSecret> given) {
            if (record.definition().protocol() != Protocol.HTTP) {
                throw new Conflict(Reason.NOT_WEBHOOK, "subscription " + id() + " is a PULL subscription: "
                        + "it has no signing secret");
            }
            WebhookSecret secret = given.orElseGet(WebhookSecret::generate);
            Instant expires = settings.secretRotationGrace().isZero() ? now() : now().plus(settings.secretRotationGrace());
            record = record.withRotatedSecret(secret, expires);
            store(record);
            announce(id());
            LOG.info("subscription {}: secret rotated, the previous one signs until {}", id(), expires);
            return secret;
        }

        /** Moves the subscription's position (replay or skip). */
        void seek(StartPosition position) {
            try {
                store.transport().seek(transportName(), position);
            } catch (UnsupportedOperationException e) {
                throw new Conflict(Reason.REPLAY_UNSUPPORTED, "the " + store.transport().name()
                        + " transport cannot move a subscription's position");
            }
            LOG.info("subscription {} moved to {}", id(), position);
        }

        private void setStatus(Status status, String reason) {
            record = record.withStatus(status, reason, now());
            store(record);
            announce(id());
        }

        /** Stores the record; its health too unless instances count it in the shared row. */
        private void store(SubscriptionRecord changed) {
            if (sharedHealth) {
                repository.saveKeepingHealth(changed);
            } else {
                repository.save(changed.withHealth(health()));
            }
        }

        /** Takes the health as stored (counted by every instance). */
        private void adopt(SubscriptionRecord.Health stored) {
            consecutiveFailures.set(stored.consecutiveFailures());
            failingSince = stored.failingSince();
            lastError = stored.lastError();
            lastFailureAt = stored.lastFailureAt();
            lastSuccessAt = stored.lastSuccessAt();
        }

        /**
         * Takes the stored record another instance wrote: restarts delivery when the definition
         * changed, starts or stops it when the status did. Health stays this instance's own.
         */
        synchronized void follow(SubscriptionRecord stored) {
            if (deleted) {
                return;
            }
            boolean definitionChanged = !stored.definition().toStoredJson().equals(record.definition().toStoredJson());
            if (running != null && (definitionChanged || stored.status() != Status.ACTIVE)) {
                stop();
                awaitStopped();
            }
            record = stored;
            filter = stored.definition().effectiveFilter(stored.projectRestriction());
            if (sharedHealth) {
                adopt(stored.health());
            }
            if (stored.status() == Status.ACTIVE) {
                start();
            } else {
                pulls.closeAll(id());
            }
        }

        /** Stops what runs here for a subscription another instance deleted. */
        synchronized void forget() {
            deleted = true;
            stop();
            awaitStopped();
            pulls.closeAll(id());
            subscriptions.remove(id(), this);
        }

        void saveHealth() {
            if (!deleted && !sharedHealth) {
                repository.save(record.withHealth(health()));
            }
        }

        /** Starts delivery, or fails as {@link SubscriptionException.Unavailable} leaving the status as it was. Guarded by this. */
        private void startOrFail() {
            try {
                start();
            } catch (RuntimeException e) {
                LOG.error("subscription {}: cannot start delivery", id(), e);
                throw new SubscriptionException.Unavailable("subscription " + id() + " could not be started ("
                        + e.getMessage() + "); its status is unchanged, try again", e);
            }
        }

        synchronized void restartIfStalled() {
            if (!deleted && record.status() == Status.ACTIVE && record.definition().protocol() == Protocol.HTTP
                    && running == null && stopping.isDone()) {
                LOG.warn("subscription {}: active without a running dispatcher; starting it", id());
                start();
            }
        }

        /** Starts the webhook dispatcher (HTTP); PULL streams need nothing started. Guarded by this. */
        private void start() {
            if (record.definition().protocol() != Protocol.HTTP || running != null) {
                return;
            }
            awaitStopped();
            SubscriptionDefinition definition = record.definition();
            SubscribeOptions options = SubscribeOptions.defaults()
                    .topic(definition.topic(settings.defaultTopic()))
                    .filter(filter)
                    .startAt(definition.delivery().startAt())
                    .delay(definition.delivery().delay())
                    .policy(definition.delivery().policy(settings.defaultPolicy()));
            running = store.subscribe(transportName(), new Delivery(this), options);
        }

        /** Stops the dispatcher without waiting (safe from a delivery thread). Guarded by this. */
        private void stop() {
            Subscription subscription = running;
            if (subscription == null) {
                return;
            }
            running = null;
            subscription.pause();
            CompletableFuture<Void> previous = stopping;
            stopping = CompletableFuture.runAsync(() -> {
                previous.join();
                subscription.close();
            }, task -> Thread.ofVirtual().name("herald-stop-" + id()).start(task));
        }

        /** Waits until a stopped dispatcher released its deliveries. Guarded by this. */
        private void awaitStopped() {
            stopping.join();
        }

        private void succeeded() {
            Instant now = now();
            lastSuccessAt = now;
            if (consecutiveFailures.getAndSet(0) > 0 || failingSince != null) {
                failingSince = null;
                if (sharedHealth) {
                    repository.recordSuccess(id(), now);
                } else {
                    saveHealth();
                }
                LOG.info("subscription {}: sink recovered", id());
            }
        }

        private void failed(String error) {
            Instant now = now();
            int failures;
            boolean save;
            if (sharedHealth) {
                adopt(repository.recordFailure(id(), error, now));
                failures = consecutiveFailures.get();
                save = false;
            } else {
                lastError = error;
                lastFailureAt = now;
                boolean first = failingSince == null;
                if (first) {
                    failingSince = now;
                }
                failures = consecutiveFailures.incrementAndGet();
                save = first || failures % SAVE_FAILURES_EVERY == 0;
            }
            int threshold = settings.autoDisableAfterFailures();
            if (threshold > 0 && failures >= threshold) {
                disable("auto-disabled after " + failures + " consecutive failed deliveries; last: " + error);
            } else if (!Duration.between(failingSince, now).minus(settings.autoDisableAfterFailingFor()).isNegative()) {
                disable("auto-disabled: failing since " + failingSince + " without a successful delivery; last: "
                        + error);
            } else if (save) {
                saveHealth();
            }
        }
    }

    /** A sink as logs and dead letters show it: without its query, which may carry a credential. */
    static String shown(java.net.URI sink) {
        String text = sink.getScheme() + "://" + sink.getRawAuthority() + (sink.getRawPath() == null ? ""
                : sink.getRawPath());
        return sink.getRawQuery() == null ? text : text + "?…";
    }

    /** The webhook handler: one attempt per call; throwing makes the dispatcher retry, then dead-letter. */
    private final class Delivery implements EventHandler {

        private final Managed managed;

        Delivery(Managed managed) {
            this.managed = managed;
        }

        @Override
        public void handle(CloudEvent event) throws Exception {
            handle(event, () -> JsonEvents.write(event));
        }

        /** Structured mode sends the transport's stored bytes as they are: no second serialisation. */
        @Override
        public void handle(CloudEvent event, Supplier<byte[]> json) throws Exception {
            SubscriptionRecord record = managed.record();
            SubscriptionDefinition definition = record.definition();
            HttpSettings http = definition.http();
            WebhookSender.Attempt attempt = sender.send(event, json, new WebhookSender.Target(definition.sink(),
                    http.method(), http.headers(), http.mode(), record.signingSecrets(now())));
            switch (attempt.outcome()) {
                case DELIVERED -> managed.succeeded();
                case GONE -> {
                    if (sharedHealth) {
                        managed.adopt(repository.recordFailure(managed.id(), attempt.detail(), now()));
                    }
                    managed.lastError = attempt.detail();
                    managed.lastFailureAt = now();
                    managed.disable("the sink answered 410 Gone at " + now() + "; fix or replace the sink, then "
                            + "POST /v1/subscriptions/" + managed.id() + "/enable");
                    throw new WebhookFailure(attempt.detail() + " (subscription disabled)");
                }
                case FAILED, REFUSED -> {
                    managed.failed(attempt.detail());
                    throw new WebhookFailure(attempt.detail() + " [" + shown(definition.sink()) + "]");
                }
            }
        }
    }
}
