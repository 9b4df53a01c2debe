package dev.herald.server.webhook;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * The webhook client's name resolution: each new connection resolves its host once through the
 * {@link SsrfGuard}, which checks every address, and the connector dials exactly those addresses.
 * There is no second lookup a DNS rebinding attack could answer differently. The lookup blocks, so it
 * runs on the given executor, never on a selector thread.
 */
final class GuardedAddressResolver implements SocketAddressResolver {

    private final SsrfGuard guard;
    private final Executor executor;

    GuardedAddressResolver(SsrfGuard guard, Executor executor) {
        this.guard = guard;
        this.executor = executor;
    }

    @Override
    public void resolve(String host, int port, Map<String, Object> context,
                        Promise<List<InetSocketAddress>> promise) {
        try {
            executor.execute(() -> {
                try {
                    List<InetAddress> checked = guard.resolve(host);
                    promise.succeeded(checked.stream().map(address -> new InetSocketAddress(address, port)).toList());
                } catch (SinkRefusedException | RuntimeException e) {
                    promise.failed(e);
                }
            });
        } catch (RejectedExecutionException e) {
            promise.failed(e);
        }
    }
}
