package dev.herald.transport.nsq;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a {@link NsqTransport} finds nsqd and how it talks to it. Start from {@link #of} and change what you need:
 * <pre>{@code
 * NsqOptions options = NsqOptions.of("nsqd-1:4150", "nsqd-1:4151", Path.of("/var/lib/herald"))
 *     .withLookupd(List.of("lookupd-1:4161", "lookupd-2:4161"))
 *     .withMaxInFlight(200);
 * }</pre>
 *
 * @param nsqd              nsqd's TCP address, {@code host:port} (nsqd's {@code --tcp-address}, usually port 4150):
 *                          where events are published and consumed
 * @param nsqdHttp          the same nsqd's HTTP address (its {@code --http-address}, usually port 4151): for creating
 *                          and deleting channels and reading their depth
 * @param lookupd           nsqlookupd HTTP addresses ({@code host:port}, usually port 4161); when given, a consumer
 *                          also reads every nsqd that {@code /lookup?topic=} names for its topic. Default none
 * @param stateDir          the directory of {@code nsq-state.json}: subscription definitions and dead letters, which
 *                          NSQ cannot keep (see {@link NsqTransport})
 * @param maxInFlight       the RDY count of each consumer: messages nsqd pushes before the earlier ones are settled;
 *                          default 100 (nsqd's {@code --max-rdy-count} is 2,500)
 * @param messageTimeout    IDENTIFY's {@code msg_timeout}: nsqd redelivers a message not settled this long after it
 *                          was sent; unsettled deliveries are TOUCHed before it expires. Default 60 s (at most
 *                          nsqd's {@code --max-msg-timeout}, 15 minutes by default)
 * @param heartbeatInterval IDENTIFY's {@code heartbeat_interval}: nsqd's heartbeat period; default 30 s (1 s to 60 s)
 * @param maxRequeueDelay   the longest REQ or DPUB delay nsqd accepts (its {@code --max-req-timeout}, 1 hour by
 *                          default); longer nack delays are shortened to it
 * @param maxBatchBytes     the largest MPUB body sent (nsqd's {@code --max-body-size}, 5 MiB by default); a larger
 *                          publish is split into several MPUBs
 * @param connectTimeout    TCP connect and HTTP request timeout; default 5 s
 * @param durableNsqd       the operator's word that every nsqd runs with {@code --mem-queue-size=0}, so that its
 *                          {@code OK} to a publish means the message is in its disk queue: only then does the
 *                          transport declare {@link dev.herald.transport.Capability#DURABLE}. Herald cannot check
 *                          it. Default false
 */
public record NsqOptions(String nsqd, String nsqdHttp, List<String> lookupd, Path stateDir, int maxInFlight,
                         Duration messageTimeout, Duration heartbeatInterval, Duration maxRequeueDelay,
                         int maxBatchBytes, Duration connectTimeout, boolean durableNsqd) {

    public NsqOptions {
        List<String> problems = new ArrayList<>();
        address("nsqd", nsqd, problems);
        address("nsqdHttp", nsqdHttp, problems);
        lookupd = List.copyOf(Objects.requireNonNull(lookupd, "lookupd"));
        lookupd.forEach(address -> address("lookupd", address, problems));
        Objects.requireNonNull(stateDir, "stateDir");
        if (maxInFlight < 1 || maxInFlight > 2_500) {
            problems.add("maxInFlight must be 1 to 2500 (nsqd's default --max-rdy-count): " + maxInFlight);
        }
        between("messageTimeout", messageTimeout, Duration.ofSeconds(1), Duration.ofMinutes(15), problems);
        between("heartbeatInterval", heartbeatInterval, Duration.ofSeconds(1), Duration.ofMinutes(1), problems);
        between("maxRequeueDelay", maxRequeueDelay, Duration.ofSeconds(1), Duration.ofDays(7), problems);
        between("connectTimeout", connectTimeout, Duration.ofMillis(1), Duration.ofMinutes(5), problems);
        if (maxBatchBytes < 1024) {
            problems.add("maxBatchBytes must be at least 1 KiB: " + maxBatchBytes);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** Options for one nsqd with every default. */
    public static NsqOptions of(String nsqd, String nsqdHttp, Path stateDir) {
        return new NsqOptions(nsqd, nsqdHttp, List.of(), stateDir, 100, Duration.ofSeconds(60),
                Duration.ofSeconds(30), Duration.ofHours(1), 5 * 1024 * 1024, Duration.ofSeconds(5), false);
    }

    /** These options with other {@link #lookupd()} addresses. */
    public NsqOptions withLookupd(List<String> addresses) {
        return new NsqOptions(nsqd, nsqdHttp, addresses, stateDir, maxInFlight, messageTimeout, heartbeatInterval,
                maxRequeueDelay, maxBatchBytes, connectTimeout, durableNsqd);
    }

    /** These options with another {@link #maxInFlight()}. */
    public NsqOptions withMaxInFlight(int count) {
        return new NsqOptions(nsqd, nsqdHttp, lookupd, stateDir, count, messageTimeout, heartbeatInterval,
                maxRequeueDelay, maxBatchBytes, connectTimeout, durableNsqd);
    }

    /** These options with another {@link #messageTimeout()}. */
    public NsqOptions withMessageTimeout(Duration timeout) {
        return new NsqOptions(nsqd, nsqdHttp, lookupd, stateDir, maxInFlight, timeout, heartbeatInterval,
                maxRequeueDelay, maxBatchBytes, connectTimeout, durableNsqd);
    }

    /** These options with another {@link #heartbeatInterval()}. */
    public NsqOptions withHeartbeatInterval(Duration interval) {
        return new NsqOptions(nsqd, nsqdHttp, lookupd, stateDir, maxInFlight, messageTimeout, interval,
                maxRequeueDelay, maxBatchBytes, connectTimeout, durableNsqd);
    }

    /** These options with another {@link #maxRequeueDelay()}. */
    public NsqOptions withMaxRequeueDelay(Duration delay) {
        return new NsqOptions(nsqd, nsqdHttp, lookupd, stateDir, maxInFlight, messageTimeout, heartbeatInterval,
                delay, maxBatchBytes, connectTimeout, durableNsqd);
    }

    /** These options with another {@link #maxBatchBytes()}. */
    public NsqOptions withMaxBatchBytes(int bytes) {
        return new NsqOptions(nsqd, nsqdHttp, lookupd, stateDir, maxInFlight, messageTimeout, heartbeatInterval,
                maxRequeueDelay, bytes, connectTimeout, durableNsqd);
    }

    /** These options with another {@link #connectTimeout()}. */
    public NsqOptions withConnectTimeout(Duration timeout) {
        return new NsqOptions(nsqd, nsqdHttp, lookupd, stateDir, maxInFlight, messageTimeout, heartbeatInterval,
                maxRequeueDelay, maxBatchBytes, timeout, durableNsqd);
    }

    /** These options with another {@link #durableNsqd()}. */
    public NsqOptions withDurableNsqd(boolean durable) {
        return new NsqOptions(nsqd, nsqdHttp, lookupd, stateDir, maxInFlight, messageTimeout, heartbeatInterval,
                maxRequeueDelay, maxBatchBytes, connectTimeout, durable);
    }

    private static void address(String field, String value, List<String> problems) {
        try {
            HostPort.parse(value);
        } catch (IllegalArgumentException e) {
            problems.add(field + ": " + e.getMessage());
        }
    }

    private static void between(String field, Duration value, Duration min, Duration max, List<String> problems) {
        if (value == null) {
            problems.add(field + " must be given");
        } else if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            problems.add(field + " must be " + min + " to " + max + ": " + value);
        }
    }
}
