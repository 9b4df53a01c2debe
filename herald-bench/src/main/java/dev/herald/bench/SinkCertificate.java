package dev.herald.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away self-signed certificate for the benchmark sink's HTTPS ports ({@code 127.0.0.1} and
 * {@code localhost}), made with the JDK's {@code keytool}: the sink's key store, and a trust store holding
 * only that certificate for the server, which is told about it with the standard
 * {@code javax.net.ssl.trustStore} properties ({@link #serverJvmOptions()}), as a deployment trusting a
 * private CA would be.
 */
final class SinkCertificate {

    /** The password of both stores (they hold a key nobody else uses, valid for two days). */
    static final String PASSWORD = "herald-bench";

    private final KeyStore keyStore;
    private final Path trustStore;

    private SinkCertificate(KeyStore keyStore, Path trustStore) {
        this.keyStore = keyStore;
        this.trustStore = trustStore;
    }

    /** Makes the certificate and writes both stores into {@code dir}. */
    static SinkCertificate create(Path dir) {
        Path keys = dir.resolve("sink-keys.p12");
        Path trust = dir.resolve("sink-trust.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        try {
            Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "sink", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity", "2", "-keystore", keys.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
                    "-keypass", PASSWORD).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool could not make the sink's certificate: " + output.strip());
            }
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keys)) {
                keyStore.load(in, PASSWORD.toCharArray());
            }
            // A key entry is no trust anchor: the server's store holds the certificate alone, as a trusted entry.
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("herald-bench-sink", keyStore.getCertificate("sink"));
            try (OutputStream out = Files.newOutputStream(trust)) {
                trusted.store(out, PASSWORD.toCharArray());
            }
            return new SinkCertificate(keyStore, trust);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the sink's certificate with " + keytool, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the sink's certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the sink's certificate", e);
        }
    }

    /** The sink's key and certificate, under {@link #PASSWORD}. */
    KeyStore keyStore() {
        return keyStore;
    }

    /** The JVM options that make the server trust the sink's certificate. */
    List<String> serverJvmOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore.toAbsolutePath(),
                "-Djavax.net.ssl.trustStorePassword=" + PASSWORD, "-Djavax.net.ssl.trustStoreType=PKCS12");
    }
}
