package dev.herald.test.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.List;

/**
 * Herald's module layering (DESIGN.md, "Modules"), written on package names so that it holds for modules
 * that do not exist yet: every {@code <root>.transport.<name>} package is a transport, whatever its name.
 *
 * <ul>
 *   <li>The core — {@code event, schema, filter, store, dispatch, settings} and the SPI package {@code transport}
 *       itself — depends on no transport implementation except the in-memory one it ships, and on nothing
 *       built on top of it ({@code server, cli, gitlab, bench, tck, test}).</li>
 *   <li>A transport depends on no other transport, and on nothing built on top of the core. The transport
 *       kit {@code transport.spi} is core: every transport may use it.</li>
 * </ul>
 *
 * The root is a parameter so that the same rules run on the deliberately bad fixture.
 */
final class HeraldLayering {

    /** Everything that sits above core and transports in DESIGN.md's module table. */
    private static final List<String> ABOVE_CORE = List.of("server", "cli", "gitlab", "bench", "tck", "test");

    private HeraldLayering() {
    }

    static List<ArchRule> rules(String root) {
        return List.of(coreDependsOnNoTransportImplementation(root), transportsDoNotDependOnEachOther(root),
                transportsDependOnNothingAboveCore(root));
    }

    static ArchRule coreDependsOnNoTransportImplementation(String root) {
        String transports = root + ".transport.";
        String memory = root + ".transport.memory";
        String kit = root + ".transport.spi";
        DescribedPredicate<JavaClass> transportImplementation = DescribedPredicate.describe(
                "are in a transport implementation other than " + memory,
                (JavaClass c) -> c.getPackageName().startsWith(transports)
                        && !(c.getPackageName().equals(memory) || c.getPackageName().startsWith(memory + "."))
                        && !c.getPackageName().equals(kit));
        return noClasses().that().resideInAnyPackage(root + ".event..", root + ".schema..", root + ".filter..",
                        root + ".store..", root + ".dispatch..", root + ".settings..", root + ".transport",
                        kit)
                .should().dependOnClassesThat(transportImplementation)
                .orShould().dependOnClassesThat().resideInAnyPackage(above(root))
                .because("the core depends on no transport (DESIGN.md): it talks to brokers only through the SPI")
                .allowEmptyShould(true);
    }

    static ArchRule transportsDoNotDependOnEachOther(String root) {
        return SlicesRuleDefinition.slices().matching(root + ".transport.(*)..")
                .namingSlices("transport $1")
                .that(DescribedPredicate.describe("are not the transport kit",
                        (com.tngtech.archunit.library.dependencies.Slice slice) -> !slice.getDescription()
                                .equals("transport spi")))
                .should().notDependOnEachOther()
                .because("each transport module holds one transport and nothing else (DESIGN.md)")
                .allowEmptyShould(true);
    }

    static ArchRule transportsDependOnNothingAboveCore(String root) {
        return noClasses().that().resideInAPackage(root + ".transport.*..")
                .and().resideOutsideOfPackage(root + ".transport.spi")
                .should().dependOnClassesThat().resideInAnyPackage(above(root))
                .because("transports depend on the core only; the server and CLI are built on them (DESIGN.md)")
                .allowEmptyShould(true);
    }

    private static String[] above(String root) {
        return ABOVE_CORE.stream().map(layer -> root + "." + layer + "..").toArray(String[]::new);
    }
}
