package dev.herald.server.subscriptions;

import dev.herald.event.Violation;
import dev.herald.server.auth.Principal;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may see, define and operate which subscriptions.
 *
 * <ul>
 *   <li>A token sees only subscriptions whose every type it may subscribe to (admins: all); a
 *       subscription without types (every event) needs the admin scope. A project-restricted token sees
 *       only subscriptions made for its project, and they only ever receive events of its project. A
 *       subscription a token may not see does not exist for it (not found).</li>
 *   <li>A subscription belongs to the token that created it. Only that owner or an admin may change
 *       or operate it: replace, patch, delete, pause, resume, enable, seek, rotate its secret, stream,
 *       ack or nack, and list, read, redrive or discard its dead letters. Another token that sees it may
 *       only read the subscription itself, with every header value hidden (forbidden otherwise), so
 *       that neither a signing secret nor a credential header ever reaches it.</li>
 * </ul>
 */
final class SubscriptionAccess {

    private final SubscriptionManager manager;

    SubscriptionAccess(SubscriptionManager manager) {
        this.manager = manager;
    }

    /**
     * The subscription with this id, if the principal may see it.
     *
     * @throws SubscriptionException.NotFound when it does not exist, is deleted, or may not be seen
     */
    SubscriptionManager.Managed visible(Principal principal, String id) {
        return manager.find(id).filter(managed -> !managed.deleted())
                .filter(managed -> visibleTo(principal, managed.record()))
                .orElseThrow(() -> new SubscriptionException.NotFound("no subscription " + id));
    }

    /**
     * The subscription with this id, if the principal may change and operate it.
     *
     * @throws SubscriptionException.NotFound  when it may not even be seen
     * @throws SubscriptionException.Forbidden when it is seen but belongs to another token
     */
    SubscriptionManager.Managed owned(Principal principal, String id) {
        SubscriptionManager.Managed managed = visible(principal, id);
        if (!owns(principal, managed.record())) {
            throw new SubscriptionException.Forbidden("subscription " + id + " belongs to another token; only "
                    + "its owner or an admin may change or operate it", List.of());
        }
        return managed;
    }

    /** Whether the principal may change and operate this subscription: its owner, or an admin. */
    static boolean owns(Principal principal, SubscriptionRecord record) {
        return principal.isAdmin() || principal.tokenId().equals(record.createdBy());
    }

    /** Whether the principal may see this subscription. */
    static boolean visibleTo(Principal principal, SubscriptionRecord record) {
        if (principal.isAdmin()) {
            return true;
        }
        if (principal.project().isPresent() && !principal.project().get().equals(record.project())) {
            return false;
        }
        List<String> types = record.definition().types();
        return !types.isEmpty() && types.stream().allMatch(principal::canSubscribe);
    }

    /**
     * Checks that the principal may subscribe to every type the definition names.
     *
     * @throws SubscriptionException.Forbidden naming each refused type
     */
    static void authorizeTypes(Principal principal, SubscriptionDefinition definition) {
        if (principal.isAdmin()) {
            return;
        }
        if (definition.types().isEmpty()) {
            throw new SubscriptionException.Forbidden("types: a subscription to every event type needs the admin "
                    + "scope; list the types this token may subscribe to", List.of(new Violation("types",
                    "required for tokens without the admin scope", null)));
        }
        List<Violation> refused = new ArrayList<>();
        List<String> types = definition.types();
        for (int i = 0; i < types.size(); i++) {
            if (!principal.canSubscribe(types.get(i))) {
                refused.add(new Violation("types[" + i + "]", "this token may not subscribe to it", types.get(i)));
            }
        }
        if (!refused.isEmpty()) {
            throw new SubscriptionException.Forbidden("this token may not subscribe to "
                    + String.join(", ", refused.stream().map(Violation::value).toList()), refused);
        }
    }
}
