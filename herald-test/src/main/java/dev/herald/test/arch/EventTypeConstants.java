package dev.herald.test.arch;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds the event types a class names as string constants at the places where Herald takes a type:
 * <ul>
 *   <li>published: {@code EventBuilder.type("…")} and the SDK's {@code CloudEventBuilder.withType("…")};</li>
 *   <li>subscribed: {@code SubscribeOptions.forTypes("…", …)}, {@code Filter.exact("type", "…")} and
 *       {@code Filter.prefix("type", "…")}.</li>
 * </ul>
 * A constant counts only when it is the argument itself — the instruction that loads it is right
 * before the call (or, for {@code forTypes}, stores it into the argument array). {@code static final}
 * constants count, since the compiler inlines them. A type that reaches the call through a variable, a
 * parameter or a helper method is not seen: no bytecode pattern tells what it holds.
 */
final class EventTypeConstants {

    /** Where a constant was found. */
    enum Kind { PUBLISHED, SUBSCRIBED, SUBSCRIBED_PREFIX }

    /** One constant event type at one call site. */
    record Found(Kind kind, String type, String method, int line) {
    }

    private static final String EVENT_BUILDER = "dev/herald/event/EventBuilder";
    private static final Set<String> CLOUD_EVENT_BUILDERS = Set.of("io/cloudevents/core/builder/CloudEventBuilder",
            "io/cloudevents/core/v1/CloudEventBuilder", "io/cloudevents/core/impl/BaseCloudEventBuilder");
    private static final String SUBSCRIBE_OPTIONS = "dev/herald/store/SubscribeOptions";
    private static final String FILTER = "dev/herald/filter/Filter";
    private static final String TWO_STRINGS = "(Ljava/lang/String;Ljava/lang/String;)Ldev/herald/filter/Filter;";

    private static final int LDC = 0x12;
    private static final int LDC_W = 0x13;
    private static final int AASTORE = 0x53;
    private static final int INVOKEVIRTUAL = 0xb6;
    private static final int INVOKESTATIC = 0xb8;
    private static final int INVOKEINTERFACE = 0xb9;
    private static final int ANEWARRAY = 0xbd;

    private EventTypeConstants() {
    }

    /** The constant event types in one class file. */
    static List<Found> in(InputStream classFile) throws IOException {
        ClassFile file = ClassFile.read(classFile);
        List<Found> found = new ArrayList<>();
        for (ClassFile.Method method : file.methods()) {
            scan(file, method, found);
        }
        return found;
    }

    /**
     * Walks the instructions, remembering the string constants the last two loaded (null for any other
     * instruction) and the constants stored into the array being built for a varargs call.
     */
    private static void scan(ClassFile file, ClassFile.Method method, List<Found> found) {
        byte[] code = method.code();
        String last = null;
        String beforeLast = null;
        boolean lastWasConstantStore = false;
        List<String> arrayConstants = new ArrayList<>();
        int pc = 0;
        while (pc < code.length) {
            int opcode = code[pc] & 0xFF;
            String loaded = switch (opcode) {
                case LDC -> file.stringConstant(code[pc + 1] & 0xFF);
                case LDC_W -> file.stringConstant(u2(code, pc + 1));
                default -> null;
            };
            if (opcode == INVOKEVIRTUAL || opcode == INVOKEINTERFACE || opcode == INVOKESTATIC) {
                ClassFile.MemberRef target = file.methodRef(u2(code, pc + 1));
                if (target != null) {
                    String name = method.name();
                    int line = method.lineAt(pc);
                    if (isTypeSetter(target) && last != null) {
                        found.add(new Found(Kind.PUBLISHED, last, name, line));
                    } else if (isForTypes(target) && lastWasConstantStore) {
                        arrayConstants.forEach(type -> found.add(new Found(Kind.SUBSCRIBED, type, name, line)));
                    } else if (isTypeFilter(target, "exact") && "type".equals(beforeLast) && last != null) {
                        found.add(new Found(Kind.SUBSCRIBED, last, name, line));
                    } else if (isTypeFilter(target, "prefix") && "type".equals(beforeLast) && last != null) {
                        found.add(new Found(Kind.SUBSCRIBED_PREFIX, last, name, line));
                    }
                }
            }
            if (opcode == ANEWARRAY && "java/lang/String".equals(file.className(u2(code, pc + 1)))) {
                arrayConstants.clear();
            }
            lastWasConstantStore = opcode == AASTORE && last != null;
            if (lastWasConstantStore) {
                arrayConstants.add(last);
            }
            beforeLast = last;
            last = loaded;
            pc += length(code, pc);
        }
    }

    private static boolean isTypeSetter(ClassFile.MemberRef target) {
        return (target.owner().equals(EVENT_BUILDER) && target.name().equals("type")
                || CLOUD_EVENT_BUILDERS.contains(target.owner()) && target.name().equals("withType"))
                && target.descriptor().startsWith("(Ljava/lang/String;)");
    }

    private static boolean isForTypes(ClassFile.MemberRef target) {
        return target.owner().equals(SUBSCRIBE_OPTIONS) && target.name().equals("forTypes");
    }

    private static boolean isTypeFilter(ClassFile.MemberRef target, String dialect) {
        return target.owner().equals(FILTER) && target.name().equals(dialect) && target.descriptor().equals(TWO_STRINGS);
    }

    private static int u2(byte[] code, int at) {
        return (code[at] & 0xFF) << 8 | code[at + 1] & 0xFF;
    }

    private static int s4(byte[] code, int at) {
        return (code[at] & 0xFF) << 24 | (code[at + 1] & 0xFF) << 16 | (code[at + 2] & 0xFF) << 8 | code[at + 3] & 0xFF;
    }

    /** The length of the instruction at {@code pc} (JVMS §6.5). */
    private static int length(byte[] code, int pc) {
        int opcode = code[pc] & 0xFF;
        return switch (opcode) {
            case 0x10, 0x12, 0x15, 0x16, 0x17, 0x18, 0x19, 0x36, 0x37, 0x38, 0x39, 0x3a, 0xa9, 0xbc -> 2;
            case 0x11, 0x13, 0x14, 0x84, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xbb, 0xbd, 0xc0, 0xc1, 0xc6, 0xc7 -> 3;
            case 0xc5 -> 4;
            case 0xb9, 0xba, 0xc8, 0xc9 -> 5;
            case 0xc4 -> (code[pc + 1] & 0xFF) == 0x84 ? 6 : 4; // wide iinc, or wide load/store
            case 0xaa -> { // tableswitch: padding to a 4-byte boundary, default, low, high, offsets
                int at = pc + 1 + padding(pc);
                int low = s4(code, at + 4);
                int high = s4(code, at + 8);
                yield at - pc + 12 + 4 * (high - low + 1);
            }
            case 0xab -> { // lookupswitch: padding, default, pair count, pairs
                int at = pc + 1 + padding(pc);
                yield at - pc + 8 + 8 * s4(code, at + 4);
            }
            default -> {
                if (opcode >= 0x99 && opcode <= 0xa8) {
                    yield 3; // conditional branches, goto, jsr
                }
                yield 1;
            }
        };
    }

    private static int padding(int pc) {
        return (4 - (pc + 1) % 4) % 4;
    }
}
