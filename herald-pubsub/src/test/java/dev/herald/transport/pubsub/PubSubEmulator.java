package dev.herald.transport.pubsub;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Pub/Sub emulator for tests, one per test JVM: the one named by the system property
 * {@code herald.pubsub.emulator} ({@code host:port}) when it answers, else a child process started from the
 * emulator jar of the Google Cloud SDK ({@code platform/pubsub-emulator/lib/cloud-pubsub-emulator-*-all.jar} under
 * {@code herald.pubsub.emulator.sdk}, {@code CLOUDSDK_ROOT_DIR}, the SDK of the {@code gcloud} on the PATH, or the
 * usual install directories) on a free port, stopped when the JVM exits. Missing the jar fails loudly: the tests
 * never skip for want of a broker. Published in this module's test jar for the distribution test.
 */
public final class PubSubEmulator {

    /** Any id works on the emulator; one per run keeps runs apart. */
    public static final String PROJECT = "herald-test";
    private static final String JAR_DIR = "platform/pubsub-emulator/lib";
    private static String hostPort;

    private PubSubEmulator() {
    }

    /** {@code host:port} of the running emulator, starting it on first use. */
    public static synchronized String hostPort() {
        if (hostPort == null) {
            String given = System.getProperty("herald.pubsub.emulator", "");
            hostPort = !given.isEmpty() && answers(given) ? given : start();
        }
        return hostPort;
    }

    /** Options for a transport on the emulator, with a prefix unique to this run. */
    public static PubSubOptions options() {
        return PubSubOptions.emulator(PROJECT, hostPort()).withAckDeadline(Duration.ofSeconds(10));
    }

    private static String start() {
        Path jar = jar().orElseThrow(() -> new IllegalStateException("the Pub/Sub emulator jar (" + JAR_DIR
                + "/cloud-pubsub-emulator-*-all.jar of the Google Cloud SDK) was not found; install the SDK's "
                + "pubsub-emulator component or name its root with -Dherald.pubsub.emulator.sdk=DIR"));
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        try {
            Path log = Files.createTempFile("herald-pubsub-emulator", ".log");
            Process process = new ProcessBuilder(java, "-Xmx384m", "-jar", jar.toString(), "--host=127.0.0.1",
                    "--port=" + port).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                process.destroy();
                try {
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                }
            }));
            String address = "127.0.0.1:" + port;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!answers(address)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Pub/Sub emulator did not start on " + address + "; its log: "
                            + Files.readString(log));
                }
                Thread.sleep(100);
            }
            return address;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the Pub/Sub emulator " + jar, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Pub/Sub emulator", e);
        }
    }

    /** The emulator jar of the first SDK root that has one, newest version last in name order. */
    static Optional<Path> jar() {
        List<Path> roots = new ArrayList<>();
        Optional.ofNullable(System.getProperty("herald.pubsub.emulator.sdk")).map(Path::of).ifPresent(roots::add);
        Optional.ofNullable(System.getenv("CLOUDSDK_ROOT_DIR")).map(Path::of).ifPresent(roots::add);
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path gcloud = Path.of(dir, "gcloud");
            if (!dir.isEmpty() && Files.isExecutable(gcloud)) {
                try {
                    // .../google-cloud-sdk/bin/gcloud, possibly through a symbolic link
                    roots.add(gcloud.toRealPath().getParent().getParent());
                } catch (IOException ignored) {
                    // A dangling link names no SDK.
                }
            }
        }
        roots.add(Path.of("/usr/lib/google-cloud-sdk"));
        roots.add(Path.of("/usr/share/google-cloud-sdk"));
        roots.add(Path.of("/opt/google-cloud-sdk"));
        roots.add(Path.of(System.getProperty("user.home"), "google-cloud-sdk"));
        for (Path root : roots) {
            Path lib = root.resolve(JAR_DIR);
            if (!Files.isDirectory(lib)) {
                continue;
            }
            List<Path> jars = new ArrayList<>();
            try (DirectoryStream<Path> found = Files.newDirectoryStream(lib, "cloud-pubsub-emulator-*-all.jar")) {
                found.forEach(jars::add);
            } catch (IOException ignored) {
                continue;
            }
            jars.sort(null);
            if (!jars.isEmpty()) {
                return Optional.of(jars.getLast());
            }
        }
        return Optional.empty();
    }

    private static boolean answers(String address) {
        int colon = address.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
                    500);
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
