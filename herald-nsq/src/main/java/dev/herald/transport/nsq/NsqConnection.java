package dev.herald.transport.nsq;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One TCP connection to nsqd speaking protocol V2, opened with the magic and IDENTIFY. Writes are whole commands
 * under a lock, from any thread; frames are read by one thread, which answers heartbeats with NOP itself.
 */
final class NsqConnection implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String address;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();

    private NsqConnection(String address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /**
     * Connects, sends the magic and IDENTIFY (heartbeat interval, message timeout, no feature negotiation beyond
     * that) and waits for nsqd's answer.
     *
     * @throws IOException when nsqd cannot be reached or refuses the identification
     */
    static NsqConnection open(String address, NsqOptions options, String clientId) throws IOException {
        HostPort target = HostPort.parse(address);
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(target.host(), target.port()), (int) options.connectTimeout().toMillis());
            NsqConnection connection = new NsqConnection(address, socket);
            connection.handshake(options, clientId);
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void handshake(NsqOptions options, String clientId) throws IOException {
        Map<String, Object> identify = new LinkedHashMap<>();
        identify.put("client_id", clientId);
        identify.put("hostname", clientId);
        identify.put("user_agent", "herald-nsq");
        identify.put("feature_negotiation", true);
        identify.put("heartbeat_interval", options.heartbeatInterval().toMillis());
        identify.put("msg_timeout", options.messageTimeout().toMillis());
        out.write(Protocol.MAGIC_V2);
        send(Protocol.identify(JSON.writeValueAsBytes(identify)));
        awaitResponse("IDENTIFY");
    }

    /**
     * Reads frames until a response that is not a heartbeat: the answer to a command sent before any SUB.
     *
     * @throws IOException on an error frame or a message
     */
    Protocol.Response awaitResponse(String command) throws IOException {
        while (true) {
            Protocol.Frame frame = read();
            switch (frame) {
                case Protocol.Response response when response.isHeartbeat() -> send(Protocol.nop());
                case Protocol.Response response -> {
                    return response;
                }
                case Protocol.Error error -> throw new IOException(command + " refused by nsqd " + address + ": " + error.text());
                case Protocol.Message message -> throw new IOException("nsqd " + address
                        + " sent a message before " + command + " was answered");
            }
        }
    }

    /** Writes a whole command and flushes; safe from any thread. */
    void send(byte[] command) throws IOException {
        writeLock.lock();
        try {
            out.write(command);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes a whole command and runs {@code beforeWrite} under the same lock, first: for in-order bookkeeping. */
    void send(byte[] command, Runnable beforeWrite) throws IOException {
        writeLock.lock();
        try {
            beforeWrite.run();
            out.write(command);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Reads the next frame; one reader thread only. */
    Protocol.Frame read() throws IOException {
        int size = in.readInt();
        if (size < 4) {
            throw new IOException("nsqd " + address + " sent a frame of size " + size);
        }
        int type = in.readInt();
        byte[] data = new byte[size - 4];
        in.readFully(data);
        return Protocol.decode(type, data);
    }

    String address() {
        return address;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket that failed already: nothing left to release.
        }
    }

    @Override
    public String toString() {
        return "nsqd " + address;
    }
}
