package dev.herald.test.arch;

import com.tngtech.archunit.core.domain.JavaClass;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which package is which domain, for {@link DomainRules}. Classes outside every domain (a composition
 * root wiring the domains together, shared infrastructure) are not checked.
 *
 * <pre>{@code
 * Domains.subpackagesOf("com.acme.shop")                      // com.acme.shop.billing.. is domain "billing", …
 * Domains.of(Map.of("billing", "com.acme.billing", "shipping", "com.acme.logistics.shipping"))
 * }</pre>
 */
public final class Domains {

    /** Either a root whose direct subpackages are domains, or explicit name → package entries. */
    private final String root;
    private final Map<String, String> packages;

    private Domains(String root, Map<String, String> packages) {
        this.root = root;
        this.packages = packages;
    }

    /** Each direct subpackage of {@code rootPackage} (with everything below it) is a domain named after it. */
    public static Domains subpackagesOf(String rootPackage) {
        return new Domains(Objects.requireNonNull(rootPackage, "rootPackage"), Map.of());
    }

    /** Explicit domains: each name maps to a package, which holds the domain with its subpackages. */
    public static Domains of(Map<String, String> namesToPackages) {
        if (namesToPackages.isEmpty()) {
            throw new IllegalArgumentException("name at least one domain");
        }
        return new Domains(null, new LinkedHashMap<>(namesToPackages));
    }

    /** The domain a class belongs to; empty when it belongs to none. */
    public Optional<String> of(JavaClass javaClass) {
        return of(javaClass.getPackageName());
    }

    /** The domain a package belongs to; empty when it belongs to none. */
    public Optional<String> of(String packageName) {
        if (root != null) {
            if (!packageName.startsWith(root + ".")) {
                return Optional.empty();
            }
            String rest = packageName.substring(root.length() + 1);
            int dot = rest.indexOf('.');
            return Optional.of(dot < 0 ? rest : rest.substring(0, dot));
        }
        return packages.entrySet().stream()
                .filter(e -> packageName.equals(e.getValue()) || packageName.startsWith(e.getValue() + "."))
                .max(java.util.Comparator.comparingInt(e -> e.getValue().length())) // the most specific wins
                .map(Map.Entry::getKey);
    }

    @Override
    public String toString() {
        return root != null ? "the subpackages of " + root : "the domains " + packages;
    }
}
