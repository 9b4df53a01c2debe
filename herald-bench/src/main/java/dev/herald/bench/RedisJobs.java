package dev.herald.bench;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The baseline dispatch is compared with: GitLab's EventStore model, where publishing an event
 * pushes one Sidekiq job per subscriber onto that subscriber's Redis list ({@code LPUSH}) and worker
 * threads take jobs with {@code BRPOP} — without Sidekiq's Ruby around it, so a ceiling for that
 * model rather than a measurement of Sidekiq. A job carries the event's structured JSON, as GitLab's
 * jobs carry the event's data, and a worker decodes it into a {@link CloudEvent} before its no-op
 * handler. Redis keeps the jobs in memory (its persistence is whatever the server is configured
 * with, usually no fsync), so the baseline has no durability cost at all.
 *
 * <p>The lists are named {@code herald-bench:<pid>:<n>:<subscriber>} and deleted before and after.
 */
final class RedisJobs implements AutoCloseable {

    private static final int BRPOP_TIMEOUT_SECONDS = 1;
    private static final int PIPELINE_DEPTH = 1_000;

    private final String host;
    private final int port;
    private final byte[][] queues;
    private final int workers;
    private final EventFormat format = new JsonFormat();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Connects to Redis at {@code host:port}; {@code subscribers} lists, worked by {@code workers}
     * threads once {@link #startWorkers} is called.
     */
    RedisJobs(String host, int port, String run, int subscribers, int workers) {
        this.host = host;
        this.port = port;
        this.workers = workers;
        this.queues = new byte[subscribers][];
        for (int s = 0; s < subscribers; s++) {
            queues[s] = ("herald-bench:" + ProcessHandle.current().pid() + ":" + run + ":" + s)
                    .getBytes(StandardCharsets.UTF_8);
        }
        try (Jedis jedis = connect()) {
            jedis.del(queues);
        }
    }

    /** The server's version and persistence settings, or why it cannot be reached. */
    static String describe(String host, int port) {
        try (Jedis jedis = new Jedis(host, port)) {
            String info = jedis.info("server");
            String version = info.lines().filter(l -> l.startsWith("redis_version:")).findFirst()
                    .map(l -> l.substring("redis_version:".length())).orElse("?");
            List<String> appendOnly = jedis.configGet("appendonly").values().stream().toList();
            return "Redis " + version + " at " + host + ":" + port + " (appendonly "
                    + (appendOnly.isEmpty() ? "?" : appendOnly.getFirst()) + ")";
        }
    }

    /** Pushes one job per subscriber per event, pipelined; not what is timed. */
    void enqueueBacklog(List<byte[]> eventJson) {
        try (Jedis jedis = connect()) {
            Pipeline pipeline = jedis.pipelined();
            int pending = 0;
            for (byte[] json : eventJson) {
                for (byte[] queue : queues) {
                    pipeline.lpush(queue, json);
                    if (++pending == PIPELINE_DEPTH) {
                        pipeline.sync();
                        pending = 0;
                    }
                }
            }
            pipeline.sync();
        }
    }

    /** A publisher pushing one job per subscriber per event on its own connection, as a Rails process does. */
    LatencyRun.Publisher publisher() {
        Jedis jedis = connect();
        return new LatencyRun.Publisher() {
            @Override
            public void publish(CloudEvent event) {
                byte[] job = FatEvents.json(event);
                for (byte[] queue : queues) {
                    jedis.lpush(queue, job);
                }
            }

            @Override
            public void close() {
                jedis.close();
            }
        };
    }

    /** Starts the worker threads, each on its own connection, each job decoded and handed to {@code handler}. */
    void startWorkers(Consumer<CloudEvent> handler) {
        CountDownLatch connected = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++) {
            threads.add(Thread.ofPlatform().name("bench-redis-worker-", w).daemon().start(() -> {
                try (Jedis jedis = connect()) {
                    connected.countDown();
                    while (running.get()) {
                        List<byte[]> popped = jedis.brpop(BRPOP_TIMEOUT_SECONDS, queues);
                        if (popped != null && popped.size() == 2) {
                            handler.accept(format.deserialize(popped.get(1)));
                        }
                    }
                }
            }));
        }
        try {
            connected.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drains the backlog with the workers: the elapsed nanoseconds until {@code jobs} jobs were handled. */
    long drain(long jobs) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(Math.toIntExact(jobs));
        long began = System.nanoTime();
        startWorkers(event -> done.countDown());
        done.await();
        return System.nanoTime() - began;
    }

    /** Stops the workers (within the BRPOP timeout) and deletes the lists. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        try (Jedis jedis = connect()) {
            jedis.del(queues);
        }
    }

    private Jedis connect() {
        return new Jedis(host, port);
    }
}
