package dev.herald.filter;

import dev.herald.transport.NativeFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Derives a filter's {@link NativeFilter}: the conditions a broker can evaluate, such that the result accepts
 * every event the filter accepts. {@code exact} and {@code prefix} translate; so do {@code all}, {@code any}
 * and {@code not} of what translates. {@code suffix}, {@code sql} and Java predicates stay in the client, and
 * so does any condition on {@code time}, whose text differs between bindings (a broker comparing it could
 * drop an event the client accepts).
 *
 * <p>Dropping a condition widens an {@code all} (still implied by the filter) but would narrow a {@code not}
 * and leave an {@code any} with a branch the broker cannot see: those translate whole or not at all.
 */
final class NativePart {

    /** A derived filter, and whether it is equivalent to the filter it came from (not merely implied by it). */
    private record Part(NativeFilter filter, boolean exact) {
        static final Part EVERYTHING = new Part(NativeFilter.ALL, false);
    }

    private NativePart() {
    }

    static NativeFilter of(Filter filter) {
        return derive(filter).filter();
    }

    private static Part derive(Filter filter) {
        return switch (filter) {
            case Filter.MatchAll all -> new Part(NativeFilter.ALL, true);
            case AttributeFilter attributes -> attributes(attributes);
            case Composite composite when composite.all() -> all(composite.filters());
            case Composite composite -> any(composite.filters());
            case Not not -> {
                Part inner = derive(not.filter());
                yield inner.exact() ? new Part(new NativeFilter.Not(inner.filter()), true) : Part.EVERYTHING;
            }
            case SqlFilter sql -> Part.EVERYTHING;
            case PredicateFilter predicate -> Part.EVERYTHING;
        };
    }

    private static Part attributes(AttributeFilter filter) {
        List<NativeFilter> conditions = new ArrayList<>();
        for (Map.Entry<String, String> entry : filter.attributes().entrySet()) {
            String attribute = entry.getKey();
            if (attribute.equals("time")) {
                continue;
            }
            switch (filter.dialect()) {
                case EXACT -> conditions.add(new NativeFilter.Exact(attribute, entry.getValue()));
                case PREFIX -> conditions.add(new NativeFilter.Prefix(attribute, entry.getValue()));
                case SUFFIX -> { }
            }
        }
        return new Part(conjunction(conditions), conditions.size() == filter.attributes().size());
    }

    private static Part all(List<Filter> filters) {
        List<NativeFilter> conditions = new ArrayList<>();
        boolean exact = true;
        for (Filter filter : filters) {
            Part part = derive(filter);
            exact &= part.exact();
            if (part.filter() instanceof NativeFilter.All all) {
                conditions.addAll(all.filters()); // flattened: all(a, all(b, c)) is all(a, b, c)
            } else {
                conditions.add(part.filter());
            }
        }
        return new Part(conjunction(conditions), exact);
    }

    private static Part any(List<Filter> filters) {
        List<NativeFilter> branches = new ArrayList<>();
        boolean exact = true;
        for (Filter filter : filters) {
            Part part = derive(filter);
            if (part.filter().isAll()) {
                // A branch the broker must let through entirely lets everything through.
                return new Part(NativeFilter.ALL, part.exact());
            }
            exact &= part.exact();
            branches.add(part.filter());
        }
        // Each branch accepts at least what its filter accepts, so their union does too.
        return new Part(branches.size() == 1 ? branches.getFirst() : new NativeFilter.Any(branches), exact);
    }

    private static NativeFilter conjunction(List<NativeFilter> conditions) {
        return conditions.size() == 1 ? conditions.getFirst() : new NativeFilter.All(conditions);
    }
}
