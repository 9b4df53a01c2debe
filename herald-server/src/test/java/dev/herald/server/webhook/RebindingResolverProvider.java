package dev.herald.server.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The JVM's name resolver in the server's tests (registered in {@code META-INF/services}): it answers
 * two test names itself and passes every other lookup to the built-in resolver.
 * <ul>
 *   <li>{@value #REBINDING}: a rebinding attacker's DNS, alternating between a public address
 *       ({@code 203.0.113.1}, TEST-NET-3: public to the SSRF guard, never answering) and {@code 127.0.0.1}.</li>
 *   <li>{@value #LOOPBACK}: always {@code 127.0.0.1}.</li>
 * </ul>
 */
public final class RebindingResolverProvider extends InetAddressResolverProvider {

    static final String REBINDING = "rebind.herald.test";
    static final String LOOPBACK = "loopback.herald.test";
    static final InetAddress PUBLIC_ADDRESS = address(203, 0, 113, 1);
    static final InetAddress LOOPBACK_ADDRESS = address(127, 0, 0, 1);

    private static final AtomicInteger REBINDING_LOOKUPS = new AtomicInteger();

    /** Starts the rebinding answers over: the next lookup answers the public address. */
    static void reset() {
        REBINDING_LOOKUPS.set(0);
    }

    /** How many times {@value #REBINDING} was looked up since {@link #reset()}. */
    static int lookups() {
        return REBINDING_LOOKUPS.get();
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (host.equalsIgnoreCase(REBINDING)) {
                    return Stream.of(REBINDING_LOOKUPS.getAndIncrement() % 2 == 0 ? PUBLIC_ADDRESS : LOOPBACK_ADDRESS);
                }
                if (host.equalsIgnoreCase(LOOPBACK)) {
                    return Stream.of(LOOPBACK_ADDRESS);
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "herald-test-rebinding";
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
