package dev.herald.transport.nsq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A protocol test double of one nsqd (TCP protocol V2 and the part of its HTTP API Herald uses) plus nsqlookupd's
 * {@code /lookup}, written from NSQ's protocol documentation frame by frame, in the test JVM on ephemeral ports.
 * It is <b>not a broker</b> and not a stand-in for testing NSQ itself: it lets the transport's protocol handling and
 * Herald's semantics on top of it run in tests, since nsqd cannot be installed here.
 *
 * <p><b>What it models</b>, as the documentation describes nsqd: the magic {@code "  V2"}; IDENTIFY with a JSON
 * body ({@code heartbeat_interval}, {@code msg_timeout}, {@code feature_negotiation} answered with JSON, else
 * {@code OK}); SUB (once per connection), RDY (the client's in-flight window), FIN, REQ with a delay, TOUCH, PUB,
 * MPUB, DPUB, NOP, CLS ({@code CLOSE_WAIT}, then no more messages); response, error and message frames; the
 * message header (8-byte nanosecond timestamp, 2-byte attempts incremented on every send, 16-byte hex id);
 * heartbeats every {@code heartbeat_interval} and closing a client that misses two; a message timeout that
 * requeues unsettled messages; requeue of a disconnected client's in-flight messages; a copy of every message
 * for every channel that exists when it arrives, and a topic without channels keeping its messages for the first
 * one; nsqd's default limits ({@code --max-msg-size} 1 MiB, {@code --max-body-size} 5 MiB); fatal errors
 * ({@code E_INVALID}, {@code E_BAD_TOPIC}, {@code E_BAD_CHANNEL}, {@code E_BAD_BODY}, {@code E_BAD_MESSAGE})
 * closing the connection, and non-fatal {@code E_FIN_FAILED}, {@code E_REQ_FAILED}, {@code E_TOUCH_FAILED}.
 * HTTP: {@code /ping}, {@code /stats?format=json}, {@code /topic/create}, {@code /topic/delete},
 * {@code /channel/create}, {@code /channel/delete}, and nsqlookupd's {@code /lookup?topic=} naming this one node.
 *
 * <p><b>What it does not model</b>: any persistence (no disk queue, {@code --mem-queue-size} has no meaning here,
 * everything is lost when it stops, so durability cannot be tested against it), a second node, nsqlookupd's
 * registration protocol, TLS, AUTH, snappy and deflate, sampling, ephemeral topics and channels, pausing, the
 * {@code /pub} HTTP endpoints, message ordering quirks of the in-memory and disk queues, back-pressure and output
 * buffering, and every error a real nsqd returns for malformed input beyond those listed. Everything is served
 * under one lock, with socket writes inside it: simple, not fast.
 */
public final class NsqProtocolDouble implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MSG_SIZE = 1024 * 1024;
    private static final int MAX_BODY_SIZE = 5 * 1024 * 1024;
    private static final long TICK_MILLIS = 5;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Topic> topics = new HashMap<>();
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final ServerSocket server;
    private final HttpServer http;
    private final Thread acceptor;
    private final Thread ticker;
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;
    private long nextId = 1;

    private NsqProtocolDouble() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/", this::serveHttp);
        http.start();
        acceptor = Thread.ofVirtual().name("nsq-double-accept").start(this::accept);
        ticker = Thread.ofVirtual().name("nsq-double-tick").start(this::tick);
    }

    /** Starts a double on ephemeral loopback ports. */
    public static NsqProtocolDouble start() throws IOException {
        return new NsqProtocolDouble();
    }

    /** The TCP address, {@code 127.0.0.1:port}: nsqd's {@code --tcp-address}. */
    public String tcpAddress() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** The HTTP address: nsqd's {@code --http-address}, also answering nsqlookupd's {@code /lookup}. */
    public String httpAddress() {
        return http.getAddress().getAddress().getHostAddress() + ":" + http.getAddress().getPort();
    }

    /** Transport options for this double, every other option at its default. */
    public NsqOptions options(Path stateDir) {
        return NsqOptions.of(tcpAddress(), httpAddress(), stateDir);
    }

    /** Connections accepted since start: a client that reconnects counts again. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Messages sent to clients since start, redeliveries included. */
    public int messagesSent() {
        return sent.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing a listening socket: nothing left to release.
        }
        http.stop(0);
        for (Client client : List.copyOf(clients)) {
            client.disconnect();
        }
        acceptor.interrupt();
        ticker.interrupt();
    }

    // ---------------------------------------------------------------- model

    /** A message as a channel holds it: its own copy of the attempts counter. */
    private static final class Msg {
        final String id;
        final long timestamp;
        final byte[] body;
        int attempts;
        long due;

        Msg(String id, long timestamp, byte[] body) {
            this.id = id;
            this.timestamp = timestamp;
            this.body = body;
        }

        /** A channel's own copy, due when the original is. */
        Msg copy() {
            Msg copy = new Msg(id, timestamp, body);
            copy.due = due;
            return copy;
        }
    }

    private record InFlight(Msg msg, Client client, long deadline) {
    }

    private static final class Channel {
        final ArrayDeque<Msg> queue = new ArrayDeque<>();
        final PriorityQueue<Msg> deferred = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
        final Map<String, InFlight> inFlight = new LinkedHashMap<>();
        final List<Client> clients = new ArrayList<>();
        int next;
    }

    private static final class Topic {
        final Map<String, Channel> channels = new LinkedHashMap<>();
        /** Messages that arrived while the topic had no channel, for its first one. */
        final List<Msg> held = new ArrayList<>();
    }

    private Topic topic(String name) {
        return topics.computeIfAbsent(name, n -> new Topic());
    }

    private Channel channel(String topicName, String name) {
        Topic topic = topic(topicName);
        Channel channel = topic.channels.get(name);
        if (channel == null) {
            channel = new Channel();
            topic.channels.put(name, channel);
            if (topic.channels.size() == 1) {
                for (Msg msg : topic.held) {
                    enqueue(channel, msg);
                }
                topic.held.clear();
            }
        }
        return channel;
    }

    private void enqueue(Channel channel, Msg msg) {
        if (msg.due > System.nanoTime()) {
            channel.deferred.add(msg);
        } else {
            channel.queue.add(msg);
        }
    }

    private void put(String topicName, byte[] body, long deferNanos) {
        Topic topic = topic(topicName);
        java.time.Instant now = java.time.Instant.now();
        Msg msg = new Msg(String.format("%016x", nextId++), now.getEpochSecond() * 1_000_000_000L + now.getNano(), body);
        msg.due = deferNanos > 0 ? System.nanoTime() + deferNanos : 0;
        if (topic.channels.isEmpty()) {
            topic.held.add(msg);
            return;
        }
        for (Channel channel : topic.channels.values()) {
            enqueue(channel, msg.copy());
            pump(channel);
        }
    }

    /** Sends queued messages to clients with room in their RDY window, round robin. */
    private void pump(Channel channel) {
        while (!channel.queue.isEmpty()) {
            Client target = null;
            for (int i = 0; i < channel.clients.size(); i++) {
                Client candidate = channel.clients.get((channel.next + i) % channel.clients.size());
                if (!candidate.closing && candidate.inFlight < candidate.rdy) {
                    target = candidate;
                    channel.next = (channel.next + i + 1) % channel.clients.size();
                    break;
                }
            }
            if (target == null) {
                return;
            }
            Msg msg = channel.queue.poll();
            msg.attempts++;
            channel.inFlight.put(msg.id, new InFlight(msg, target, System.nanoTime() + target.msgTimeoutNanos));
            target.inFlight++;
            sent.incrementAndGet();
            target.sendMessage(msg);
        }
    }

    private void requeue(Channel channel, Msg msg, long delayNanos) {
        msg.due = delayNanos > 0 ? System.nanoTime() + delayNanos : 0;
        enqueue(channel, msg);
    }

    private void tick() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            lock.lock();
            try {
                for (Topic topic : topics.values()) {
                    for (Channel channel : topic.channels.values()) {
                        while (!channel.deferred.isEmpty() && channel.deferred.peek().due <= now) {
                            channel.queue.add(channel.deferred.poll());
                        }
                        for (Iterator<InFlight> it = channel.inFlight.values().iterator(); it.hasNext(); ) {
                            InFlight inFlight = it.next();
                            if (inFlight.deadline() <= now) {
                                it.remove();
                                inFlight.client().inFlight--;
                                channel.queue.add(inFlight.msg());
                            }
                        }
                        pump(channel);
                    }
                }
            } finally {
                lock.unlock();
            }
            for (Client client : clients) {
                client.heartbeat(now);
            }
        }
    }

    // ---------------------------------------------------------------- TCP

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Client client = new Client(socket);
                clients.add(client);
                accepted.incrementAndGet();
                Thread.ofVirtual().name("nsq-double-client").start(client::serve);
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One client connection and its state. */
    private final class Client {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;
        final ReentrantLock writeLock = new ReentrantLock();
        Channel channel;
        String topicName;
        String channelName;
        int rdy;
        int inFlight;
        volatile boolean closing;
        long msgTimeoutNanos = Duration.ofSeconds(60).toNanos();
        volatile long heartbeatNanos = Duration.ofSeconds(30).toNanos();
        volatile long lastHeartbeat = System.nanoTime();
        volatile long lastCommand = System.nanoTime();

        Client(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            this.out = new BufferedOutputStream(socket.getOutputStream());
        }

        void serve() {
            try {
                byte[] magic = in.readNBytes(4);
                if (!"  V2".equals(new String(magic, StandardCharsets.US_ASCII))) {
                    fatal("E_BAD_PROTOCOL protocol version not supported");
                    return;
                }
                while (!closed) {
                    String line = readLine();
                    lastCommand = System.nanoTime();
                    if (!command(line.split(" "))) {
                        return;
                    }
                }
            } catch (IOException e) {
                // The client went away.
            } finally {
                disconnect();
            }
        }

        /** Runs one command; false when the connection must close. */
        private boolean command(String[] words) throws IOException {
            switch (words[0]) {
                case "IDENTIFY" -> {
                    JsonNode identify = JSON.readTree(readBody(MAX_BODY_SIZE));
                    if (identify.has("heartbeat_interval")) {
                        long ms = identify.get("heartbeat_interval").asLong();
                        heartbeatNanos = ms <= 0 ? Long.MAX_VALUE : Duration.ofMillis(ms).toNanos();
                    }
                    if (identify.has("msg_timeout") && identify.get("msg_timeout").asLong() > 0) {
                        msgTimeoutNanos = Duration.ofMillis(identify.get("msg_timeout").asLong()).toNanos();
                    }
                    if (identify.path("feature_negotiation").asBoolean()) {
                        ObjectNode answer = JSON.createObjectNode().put("max_rdy_count", 2500).put("version", "double")
                                .put("max_msg_timeout", 900_000).put("msg_timeout", msgTimeoutNanos / 1_000_000)
                                .put("tls_v1", false).put("deflate", false).put("snappy", false).put("auth_required", false);
                        respond(JSON.writeValueAsBytes(answer));
                    } else {
                        respond("OK");
                    }
                }
                case "SUB" -> {
                    if (words.length != 3 || !Protocol.NAME.matcher(words[1]).matches()) {
                        return fatal("E_BAD_TOPIC SUB topic name is not valid");
                    }
                    if (!Protocol.NAME.matcher(words[2]).matches()) {
                        return fatal("E_BAD_CHANNEL SUB channel name is not valid");
                    }
                    if (channel != null) {
                        return fatal("E_INVALID cannot SUB in current state");
                    }
                    lock.lock();
                    try {
                        topicName = words[1];
                        channelName = words[2];
                        channel = channel(words[1], words[2]);
                        channel.clients.add(this);
                    } finally {
                        lock.unlock();
                    }
                    respond("OK");
                }
                case "RDY" -> {
                    int count = Integer.parseInt(words[1]);
                    if (count < 0 || count > 2500) {
                        return fatal("E_INVALID RDY count " + count + " out of range 0-2500");
                    }
                    lock.lock();
                    try {
                        rdy = count;
                        if (channel != null) {
                            pump(channel);
                        }
                    } finally {
                        lock.unlock();
                    }
                }
                case "FIN" -> settle(words[1], "E_FIN_FAILED", inFlight -> { });
                case "REQ" -> {
                    long delayNanos = Duration.ofMillis(Long.parseLong(words[2])).toNanos();
                    settle(words[1], "E_REQ_FAILED", msg -> requeue(channel, msg, delayNanos));
                }
                case "TOUCH" -> touch(words[1]);
                case "PUB" -> {
                    byte[] body = readBody(MAX_MSG_SIZE);
                    if (body == null || !validTopic(words, 2)) {
                        return fatal(body == null ? "E_BAD_MESSAGE PUB message too big" : "E_BAD_TOPIC PUB topic name is not valid");
                    }
                    publish(words[1], List.of(body), 0);
                }
                case "DPUB" -> {
                    byte[] body = readBody(MAX_MSG_SIZE);
                    if (body == null || !validTopic(words, 3)) {
                        return fatal(body == null ? "E_BAD_MESSAGE DPUB message too big" : "E_BAD_TOPIC DPUB topic name is not valid");
                    }
                    publish(words[1], List.of(body), Duration.ofMillis(Long.parseLong(words[2])).toNanos());
                }
                case "MPUB" -> {
                    byte[] body = readBody(MAX_BODY_SIZE);
                    if (body == null || !validTopic(words, 2)) {
                        return fatal(body == null ? "E_BAD_BODY MPUB body too big" : "E_BAD_TOPIC MPUB topic name is not valid");
                    }
                    List<byte[]> messages = splitMpub(body);
                    if (messages == null) {
                        return fatal("E_BAD_BODY MPUB invalid body");
                    }
                    publish(words[1], messages, 0);
                }
                case "NOP" -> {
                    // Answers a heartbeat; lastCommand was updated.
                }
                case "CLS" -> {
                    closing = true;
                    respond("CLOSE_WAIT");
                }
                default -> {
                    return fatal("E_INVALID invalid command " + words[0]);
                }
            }
            return true;
        }

        private boolean validTopic(String[] words, int expected) {
            return words.length == expected && Protocol.NAME.matcher(words[1]).matches();
        }

        private void publish(String topic, List<byte[]> bodies, long deferNanos) throws IOException {
            lock.lock();
            try {
                for (byte[] body : bodies) {
                    put(topic, body, deferNanos);
                }
            } finally {
                lock.unlock();
            }
            respond("OK");
        }

        private void settle(String id, String failure, java.util.function.Consumer<Msg> then) throws IOException {
            lock.lock();
            try {
                InFlight inFlight = channel == null ? null : channel.inFlight.get(id);
                if (inFlight == null || inFlight.client() != this) {
                    error(failure + " " + id);
                    return;
                }
                channel.inFlight.remove(id);
                this.inFlight--;
                then.accept(inFlight.msg());
                pump(channel);
            } finally {
                lock.unlock();
            }
        }

        private void touch(String id) throws IOException {
            lock.lock();
            try {
                InFlight inFlight = channel == null ? null : channel.inFlight.get(id);
                if (inFlight == null || inFlight.client() != this) {
                    error("E_TOUCH_FAILED " + id);
                    return;
                }
                channel.inFlight.put(id, new InFlight(inFlight.msg(), this, System.nanoTime() + msgTimeoutNanos));
            } finally {
                lock.unlock();
            }
        }

        private List<byte[]> splitMpub(byte[] body) {
            ByteBuffer buffer = ByteBuffer.wrap(body);
            if (buffer.remaining() < 4) {
                return null;
            }
            int count = buffer.getInt();
            List<byte[]> messages = new ArrayList<>(Math.max(0, Math.min(count, 100_000)));
            for (int i = 0; i < count; i++) {
                if (buffer.remaining() < 4) {
                    return null;
                }
                int size = buffer.getInt();
                if (size <= 0 || size > MAX_MSG_SIZE || size > buffer.remaining()) {
                    return null;
                }
                byte[] message = new byte[size];
                buffer.get(message);
                messages.add(message);
            }
            return count > 0 && !buffer.hasRemaining() ? messages : null;
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                line.write(b);
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        /** Reads {@code [4-byte size][body]}; null (after reading it) when larger than {@code max} or empty. */
        private byte[] readBody(int max) throws IOException {
            int size = in.readInt();
            if (size <= 0 || size > max) {
                return null;
            }
            byte[] body = new byte[size];
            in.readFully(body);
            return body;
        }

        void heartbeat(long now) {
            if (heartbeatNanos == Long.MAX_VALUE) {
                return;
            }
            if (now - lastCommand > 2 * heartbeatNanos + Duration.ofMillis(100).toNanos()) {
                disconnect(); // two heartbeats unanswered
            } else if (now - lastHeartbeat >= heartbeatNanos) {
                lastHeartbeat = now;
                try {
                    respond("_heartbeat_");
                } catch (IOException e) {
                    disconnect();
                }
            }
        }

        void sendMessage(Msg msg) {
            ByteBuffer frame = ByteBuffer.allocate(4 + 4 + Protocol.MESSAGE_HEADER + msg.body.length);
            frame.putInt(4 + Protocol.MESSAGE_HEADER + msg.body.length).putInt(Protocol.FRAME_MESSAGE)
                    .putLong(msg.timestamp).putShort((short) msg.attempts)
                    .put(msg.id.getBytes(StandardCharsets.US_ASCII)).put(msg.body);
            try {
                write(frame.array());
            } catch (IOException e) {
                // The client's reader thread sees the broken socket and requeues.
                closeSocket();
            }
        }

        private void respond(String text) throws IOException {
            respond(text.getBytes(StandardCharsets.UTF_8));
        }

        private void respond(byte[] data) throws IOException {
            write(frame(Protocol.FRAME_RESPONSE, data));
        }

        private void error(String text) throws IOException {
            write(frame(Protocol.FRAME_ERROR, text.getBytes(StandardCharsets.UTF_8)));
        }

        private boolean fatal(String text) throws IOException {
            error(text);
            return false;
        }

        private byte[] frame(int type, byte[] data) {
            return ByteBuffer.allocate(8 + data.length).putInt(4 + data.length).putInt(type).put(data).array();
        }

        private void write(byte[] bytes) throws IOException {
            writeLock.lock();
            try {
                out.write(bytes);
                out.flush();
            } finally {
                writeLock.unlock();
            }
        }

        /** Leaves: requeues what it held, like nsqd does for a lost client. */
        void disconnect() {
            if (!clients.remove(this)) {
                return;
            }
            closeSocket();
            lock.lock();
            try {
                if (channel != null) {
                    channel.clients.remove(this);
                    for (Iterator<InFlight> it = channel.inFlight.values().iterator(); it.hasNext(); ) {
                        InFlight inFlight = it.next();
                        if (inFlight.client() == this) {
                            it.remove();
                            channel.queue.add(inFlight.msg());
                        }
                    }
                    inFlight = 0;
                    pump(channel);
                }
            } finally {
                lock.unlock();
            }
        }

        private void closeSocket() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Already closed.
            }
        }
    }

    // ---------------------------------------------------------------- HTTP

    private void serveHttp(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String path = exchange.getRequestURI().getPath();
            String topicName = query.get("topic");
            String channelName = query.get("channel");
            lock.lock();
            try {
                switch (path) {
                    case "/ping" -> reply(exchange, 200, "OK".getBytes(StandardCharsets.UTF_8));
                    case "/stats" -> reply(exchange, 200, JSON.writeValueAsBytes(stats(topicName, channelName)));
                    case "/lookup" -> lookup(exchange, topicName);
                    case "/topic/create" -> {
                        if (!validName(exchange, topicName, "INVALID_TOPIC")) {
                            return;
                        }
                        topic(topicName);
                        reply(exchange, 200, new byte[0]);
                    }
                    case "/channel/create" -> {
                        if (!validName(exchange, topicName, "INVALID_TOPIC") || !validName(exchange, channelName, "INVALID_CHANNEL")) {
                            return;
                        }
                        channel(topicName, channelName);
                        reply(exchange, 200, new byte[0]);
                    }
                    case "/channel/delete" -> {
                        Topic topic = topics.get(topicName);
                        Channel channel = topic == null ? null : topic.channels.remove(channelName);
                        if (channel == null) {
                            reply(exchange, 404, "{\"message\":\"CHANNEL_NOT_FOUND\"}".getBytes(StandardCharsets.UTF_8));
                            return;
                        }
                        List.copyOf(channel.clients).forEach(Client::closeSocket);
                        reply(exchange, 200, new byte[0]);
                    }
                    case "/topic/delete" -> {
                        Topic topic = topics.remove(topicName);
                        if (topic == null) {
                            reply(exchange, 404, "{\"message\":\"TOPIC_NOT_FOUND\"}".getBytes(StandardCharsets.UTF_8));
                            return;
                        }
                        topic.channels.values().forEach(c -> List.copyOf(c.clients).forEach(Client::closeSocket));
                        reply(exchange, 200, new byte[0]);
                    }
                    default -> reply(exchange, 404, "{\"message\":\"NOT_FOUND\"}".getBytes(StandardCharsets.UTF_8));
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean validName(HttpExchange exchange, String name, String error) throws IOException {
        if (name != null && Protocol.NAME.matcher(name).matches()) {
            return true;
        }
        reply(exchange, 400, ("{\"message\":\"" + error + "\"}").getBytes(StandardCharsets.UTF_8));
        return false;
    }

    private ObjectNode stats(String topicFilter, String channelFilter) {
        ObjectNode root = JSON.createObjectNode().put("version", "double").put("health", "OK");
        ArrayNode topicsNode = root.putArray("topics");
        topics.forEach((topicName, topic) -> {
            if (topicFilter != null && !topicFilter.equals(topicName)) {
                return;
            }
            ObjectNode t = topicsNode.addObject().put("topic_name", topicName).put("depth", topic.held.size());
            ArrayNode channels = t.putArray("channels");
            topic.channels.forEach((channelName, channel) -> {
                if (channelFilter != null && !channelFilter.equals(channelName)) {
                    return;
                }
                channels.addObject().put("channel_name", channelName).put("depth", channel.queue.size())
                        .put("in_flight_count", channel.inFlight.size()).put("deferred_count", channel.deferred.size())
                        .put("client_count", channel.clients.size());
            });
        });
        return root;
    }

    private void lookup(HttpExchange exchange, String topicName) throws IOException {
        Topic topic = topicName == null ? null : topics.get(topicName);
        if (topic == null) {
            reply(exchange, 404, "{\"message\":\"TOPIC_NOT_FOUND\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode channels = root.putArray("channels");
        topic.channels.keySet().forEach(channels::add);
        root.putArray("producers").addObject().put("broadcast_address", server.getInetAddress().getHostAddress())
                .put("hostname", "nsq-double").put("tcp_port", server.getLocalPort())
                .put("http_port", http.getAddress().getPort()).put("version", "double");
        reply(exchange, 200, JSON.writeValueAsBytes(root));
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }
}
