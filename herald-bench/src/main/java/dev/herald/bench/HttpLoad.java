package dev.herald.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop HTTP/1.1 load generator for Herald's benchmarks: {@code C} kept-alive connections, each
 * sending one request, reading the whole response, and sending the next, until a given number of
 * requests was made. Requests are numbered from 0 across all connections and made by the caller's
 * {@link Requests} (the n-th event, say), so that every request of a run is different where it must be
 * (event ids) and none is sent twice.
 *
 * <p>It is written to cost the machine as little as possible, because on a small machine the generator
 * competes with the server for the same cores: one platform thread per connection blocking in the
 * socket (no selector, no wake-up hand-offs), requests written from prepared bytes, responses parsed
 * only as far as the status line, {@code Content-Length}/chunked framing and {@code Connection: close}.
 * A general client ({@code java.net.http}, Jetty's) spends several times more CPU per request on
 * features a benchmark does not need. Each {@link Result} carries the process CPU time used during the
 * run ({@link Result#cpuShare()}), so a report can show that the generator did not starve the server.
 *
 * <p>Connection {@code i} goes to {@code bases[i % bases.size()]}: several base URLs spread the load
 * over several servers (a cluster without a load balancer). Plain {@code http} only.
 *
 * <pre>{@code
 * HttpLoad.Result result = HttpLoad.to(List.of(server.baseUri())).connections(32).requests(100_000)
 *         .expect(202).run(n -> LoadRequest.post("/v1/events", JSON, bodies.structured(n)));
 * out.println(result.perSecond() + " req/s, generator CPU " + result.cpuShare());
 * }</pre>
 */
public final class HttpLoad {

    /** Makes the n-th request of a run; called from the connections' threads, so it must be thread-safe. */
    @FunctionalInterface
    public interface Requests {
        LoadRequest request(long n);
    }

    private static final int MAX_SAMPLES = 5;
    private static final int SAMPLE_BYTES = 400;

    private final List<URI> bases;
    private int connections = 16;
    private long requests = 10_000;
    private int expect = 200;
    private Duration timeout = Duration.ofSeconds(30);

    private HttpLoad(List<URI> bases) {
        if (bases.isEmpty()) {
            throw new IllegalArgumentException("no base URL to load");
        }
        for (URI base : bases) {
            if (!"http".equals(base.getScheme()) || base.getHost() == null) {
                throw new IllegalArgumentException("not an http://host:port URL: " + base);
            }
        }
        this.bases = List.copyOf(bases);
    }

    /** A load run against these servers (connection {@code i} goes to {@code bases[i % size]}). */
    public static HttpLoad to(List<URI> bases) {
        return new HttpLoad(bases);
    }

    /** Concurrent connections, each with one request in flight (default 16). */
    public HttpLoad connections(int count) {
        this.connections = positive(count, "connections");
        return this;
    }

    /** Requests in all (default 10,000). */
    public HttpLoad requests(long count) {
        if (count <= 0) {
            throw new IllegalArgumentException("requests must be positive");
        }
        this.requests = count;
        return this;
    }

    /** The status that counts as success (default 200); every other answer is {@link Result#unexpected()}. */
    public HttpLoad expect(int status) {
        this.expect = status;
        return this;
    }

    /** The longest wait for a connection or a response before the request counts as failed (default 30 s). */
    public HttpLoad timeout(Duration value) {
        this.timeout = Objects.requireNonNull(value, "timeout");
        return this;
    }

    /**
     * Opens the connections, then sends {@link #requests(long)} requests made by {@code make} and waits
     * for every response. A request that fails on the network counts in {@link Result#failed()}; its
     * connection is opened again for the next one.
     */
    public Result run(Requests make) throws InterruptedException {
        int workers = (int) Math.min(connections, requests);
        AtomicLong next = new AtomicLong();
        Tally tally = new Tally();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(workers);
        List<Connection> opened = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            Connection connection = new Connection(bases.get(i % bases.size()), make, next, tally);
            opened.add(connection);
            Thread.ofPlatform().daemon().name("herald-load-" + i).start(() -> {
                try {
                    start.await();
                    connection.loop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    connection.close();
                    done.countDown();
                }
            });
        }
        long cpuBefore = processCpuNanos();
        long began = System.nanoTime();
        start.countDown();
        done.await();
        long elapsed = System.nanoTime() - began;
        long cpu = processCpuNanos() - cpuBefore;
        long[] latencies = opened.stream().flatMapToLong(c -> Arrays.stream(c.latencies, 0, c.count)).sorted()
                .toArray();
        return new Result(tally.expected.sum(), tally.unexpected.sum(), tally.failed.sum(),
                Collections.unmodifiableMap(statuses(opened)), elapsed, cpu,
                Runtime.getRuntime().availableProcessors(), latencies, List.copyOf(tally.samples));
    }

    /**
     * The outcome of a run.
     *
     * @param expected     requests answered with the expected status
     * @param unexpected   requests answered with another status
     * @param failed       requests without an answer (connection refused or reset, timeout)
     * @param statuses     how many answers had each status
     * @param elapsedNanos from the first request to the last response
     * @param cpuNanos     CPU time this whole process used meanwhile (the generator and anything else in it)
     * @param cores        the processors available to this process
     * @param latencies    each answered request's time from writing it to reading its last byte, sorted
     * @param samples      the first few problems, for the report
     */
    public record Result(long expected, long unexpected, long failed, Map<Integer, Long> statuses, long elapsedNanos,
                         long cpuNanos, int cores, long[] latencies, List<String> samples) {

        /** Requests made. */
        public long requests() {
            return expected + unexpected + failed;
        }

        /** Requests answered with the expected status, per second. */
        public double perSecond() {
            return expected / seconds();
        }

        /** The run's duration in seconds. */
        public double seconds() {
            return elapsedNanos / 1e9;
        }

        /** The share of the machine's CPU this process used during the run: 0.5 is one of two cores. */
        public double cpuShare() {
            return cpuNanos < 0 ? Double.NaN : cpuNanos / ((double) elapsedNanos * cores);
        }

        /** The latency at this percentile in milliseconds (NaN when nothing was answered). */
        public double percentileMillis(double percentile) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.min(latencies.length - 1, Math.ceil(percentile / 100 * latencies.length) - 1);
            return latencies[Math.max(0, index)] / 1e6;
        }

        /** Whether every request got the expected answer. */
        public boolean clean() {
            return unexpected == 0 && failed == 0;
        }

        /** One line: the answers by status, failures, and the first problems seen. */
        public String problems() {
            if (clean()) {
                return "none";
            }
            return String.format(Locale.ROOT, "%d unexpected answers %s, %d failed; first: %s", unexpected, statuses,
                    failed, String.join(" | ", samples));
        }
    }

    /** Counters shared by the connections. */
    private static final class Tally {
        final LongAdder expected = new LongAdder();
        final LongAdder unexpected = new LongAdder();
        final LongAdder failed = new LongAdder();
        final List<String> samples = new CopyOnWriteArrayList<>();

        void sample(String problem) {
            if (samples.size() < MAX_SAMPLES) {
                samples.add(problem);
            }
        }
    }

    /** One kept-alive connection and its thread's loop. */
    private final class Connection {

        private final URI base;
        private final String host;
        private final Requests make;
        private final AtomicLong next;
        private final Tally tally;
        private final Response response = new Response();
        final Map<Integer, Long> statuses = new HashMap<>();
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        long[] latencies = new long[1024];
        int count;

        Connection(URI base, Requests make, AtomicLong next, Tally tally) {
            this.base = base;
            this.host = base.getHost() + ":" + port(base);
            this.make = make;
            this.next = next;
            this.tally = tally;
        }

        void loop() {
            long n;
            while ((n = next.getAndIncrement()) < requests) {
                LoadRequest request = make.request(n);
                long sent = System.nanoTime();
                try {
                    if (socket == null) {
                        open();
                    }
                    request.writeTo(out, host);
                    out.flush();
                    response.read(in, tally.samples.size() < MAX_SAMPLES);
                } catch (IOException e) {
                    tally.failed.increment();
                    tally.sample(request.method() + " " + request.path() + ": " + e);
                    close();
                    continue;
                }
                record(System.nanoTime() - sent);
                statuses.merge(response.status, 1L, Long::sum);
                if (response.status == expect) {
                    tally.expected.increment();
                } else {
                    tally.unexpected.increment();
                    tally.sample("HTTP " + response.status + " " + response.excerpt());
                }
                if (!response.keepAlive) {
                    close();
                }
            }
        }

        private void open() throws IOException {
            Socket opened = new Socket();
            try {
                opened.setTcpNoDelay(true);
                opened.connect(new InetSocketAddress(base.getHost(), port(base)), (int) timeout.toMillis());
                opened.setSoTimeout((int) timeout.toMillis());
                in = new BufferedInputStream(opened.getInputStream(), 16 * 1024);
                out = new BufferedOutputStream(opened.getOutputStream(), 16 * 1024);
                socket = opened;
            } catch (IOException e) {
                opened.close();
                throw e;
            }
        }

        private void record(long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing a connection we are done with: nothing to report.
                }
                socket = null;
            }
        }
    }

    /**
     * Reads one HTTP/1.1 response: the status, whether the connection stays open, and the body (skipped,
     * or kept in part when a problem is to be reported).
     */
    static final class Response {
        int status;
        boolean keepAlive;
        private final StringBuilder line = new StringBuilder(128);
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream(SAMPLE_BYTES);
        private boolean keep;

        void read(InputStream in, boolean keepExcerpt) throws IOException {
            kept.reset();
            String statusLine = readLine(in);
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("not an HTTP/1.x status line: " + statusLine);
            }
            status = Integer.parseInt(statusLine, 9, 12, 10);
            keepAlive = statusLine.charAt(7) == '1';
            long length = -1;
            boolean chunked = false;
            for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> keepAlive = keepAlive ? !value.contains("close") : value.contains("keep-alive");
                    default -> { }
                }
            }
            keep = keepExcerpt;
            if (chunked) {
                for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
                    skip(in, size);
                    readLine(in);
                }
                while (!readLine(in).isEmpty()) {
                    // trailer fields: not needed
                }
            } else if (length >= 0) {
                skip(in, length);
            } else if (status != 204 && status != 304 && status >= 200) {
                skip(in, Long.MAX_VALUE); // the body ends when the server closes the connection
                keepAlive = false;
            }
        }

        String excerpt() {
            return kept.toString(StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        }

        private long chunkSize(InputStream in) throws IOException {
            String size = readLine(in);
            int end = size.indexOf(';');
            return Long.parseLong((end < 0 ? size : size.substring(0, end)).strip(), 16);
        }

        private void skip(InputStream in, long bytes) throws IOException {
            byte[] buffer = new byte[4096];
            long left = bytes;
            while (left > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (read < 0) {
                    if (bytes == Long.MAX_VALUE) {
                        return;
                    }
                    throw new EOFException("the connection closed " + left + " bytes before the end of the body");
                }
                if (keep && kept.size() < SAMPLE_BYTES) {
                    kept.write(buffer, 0, Math.min(read, SAMPLE_BYTES - kept.size()));
                }
                left -= read;
            }
        }

        private String readLine(InputStream in) throws IOException {
            line.setLength(0);
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new EOFException("the connection closed in the middle of a response");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }

    private static Map<Integer, Long> statuses(List<Connection> connections) {
        Map<Integer, Long> all = new TreeMap<>();
        connections.forEach(c -> c.statuses.forEach((status, n) -> all.merge(status, n, Long::sum)));
        return all;
    }

    private static int port(URI base) {
        return base.getPort() > 0 ? base.getPort() : 80;
    }

    private static int positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return value;
    }

    /** This process's CPU time so far, or -1 where the JDK does not tell. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
