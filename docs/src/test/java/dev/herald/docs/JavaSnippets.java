package dev.herald.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a Java snippet of the docs as the body of a method, the way a reader would paste it into
 * their code — or, when it declares a method or a type ({@code static boolean verify(…)}), as a member
 * of the class. The variables snippets talk about without declaring them ({@code store},
 * {@code schemas}, {@code dataSource}, {@code event}, …) are fields of the surrounding class, so a
 * snippet may also declare its own of the same name.
 */
final class JavaSnippets {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static final String TEMPLATE = """
            package snippets;

            import dev.herald.dispatch.*;
            import dev.herald.event.*;
            import dev.herald.filter.Filter;
            import dev.herald.schema.*;
            import dev.herald.store.*;
            import dev.herald.transport.StartPosition;
            import dev.herald.transport.embedded.EmbeddedTransport;
            import dev.herald.transport.memory.InMemoryTransport;
            import io.cloudevents.CloudEvent;
            import java.nio.charset.StandardCharsets;
            import java.nio.file.Path;
            import java.security.MessageDigest;
            import java.time.Duration;
            import java.time.Instant;
            import java.util.Base64;
            import java.util.List;
            import java.util.Map;
            import javax.crypto.Mac;
            import javax.crypto.spec.SecretKeySpec;
            import javax.sql.DataSource;

            class %s {
                interface Notifier { void send(CloudEvent event); }
                interface Pipelines { void runFor(CloudEvent event); }

                EventStore store;
                SchemaRegistry schemas;
                DataSource dataSource;
                CloudEvent event;
                Object finding;
                Notifier notifier;
                Pipelines pipelines;

            %s
            }
            """;

    /** A snippet that declares a method or type is a member of the class; any other is a method body. */
    private static final java.util.regex.Pattern MEMBER =
            java.util.regex.Pattern.compile("^(?:@\\w+\\s+)*(?:(?:public|protected|private|static|final)\\s+)+\\S");

    private JavaSnippets() {
    }

    /** The compiler's errors, empty when the snippet compiles. */
    static List<String> compile(Snippet snippet) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        String className = "Snippet" + COUNTER.incrementAndGet();
        try {
            Path dir = Files.createTempDirectory("herald-doc-snippet");
            Path source = dir.resolve(className + ".java");
            String body = MEMBER.matcher(snippet.text().strip()).find()
                    ? snippet.text().indent(4)
                    : "    void run() throws Exception {\n" + snippet.text().indent(8) + "    }\n";
            Files.writeString(source, TEMPLATE.formatted(className, body));
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
                List<String> options = List.of("-proc:none", "-d", dir.toString(),
                        "-classpath", System.getProperty("java.class.path"));
                boolean ok = compiler.getTask(null, files, diagnostics, options, null,
                        files.getJavaFileObjects(source)).call();
                List<String> errors = new ArrayList<>();
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    if (d.getKind() == Diagnostic.Kind.ERROR) {
                        errors.add("line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
                    }
                }
                return ok ? List.of() : errors;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
