package dev.herald.test.arch;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of a class-file reader (JVMS §4) for {@link EventTypeConstants}: the constant pool, and
 * each method's bytecode with its line numbers. ArchUnit records which methods are called but not with
 * which arguments, and the JDK's class-file API is not final in Java 21, so this reads the format itself.
 */
final class ClassFile {

    /** A method: its name and descriptor, its bytecode, and its line-number table (start pc, line) pairs. */
    record Method(String name, String descriptor, byte[] code, int[] lineTable) {

        /** The source line of the instruction at {@code pc}; 0 when the class has no line numbers. */
        int lineAt(int pc) {
            int line = 0;
            int bestStart = -1;
            for (int i = 0; i < lineTable.length; i += 2) {
                if (lineTable[i] <= pc && lineTable[i] > bestStart) {
                    bestStart = lineTable[i];
                    line = lineTable[i + 1];
                }
            }
            return line;
        }
    }

    /** A method or interface-method reference from the constant pool. */
    record MemberRef(String owner, String name, String descriptor) {
    }

    private static final int UTF8 = 1;
    private static final int INTEGER = 3;
    private static final int FLOAT = 4;
    private static final int LONG = 5;
    private static final int DOUBLE = 6;
    private static final int CLASS = 7;
    private static final int STRING = 8;
    private static final int FIELDREF = 9;
    private static final int METHODREF = 10;
    private static final int INTERFACE_METHODREF = 11;
    private static final int NAME_AND_TYPE = 12;
    private static final int METHOD_HANDLE = 15;
    private static final int METHOD_TYPE = 16;
    private static final int DYNAMIC = 17;
    private static final int INVOKE_DYNAMIC = 18;
    private static final int MODULE = 19;
    private static final int PACKAGE = 20;

    private final int[] tags;
    /** Per entry: the UTF-8 text, or the first and second index packed as {@code first << 16 | second}. */
    private final Object[] entries;
    private final List<Method> methods;

    private ClassFile(int[] tags, Object[] entries, List<Method> methods) {
        this.tags = tags;
        this.entries = entries;
        this.methods = methods;
    }

    static ClassFile read(InputStream in) throws IOException {
        return read(in.readAllBytes());
    }

    static ClassFile read(byte[] bytes) throws IOException {
        DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes));
        if (data.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        data.readUnsignedShort(); // minor version
        data.readUnsignedShort(); // major version
        int count = data.readUnsignedShort();
        int[] tags = new int[count];
        Object[] entries = new Object[count];
        for (int i = 1; i < count; i++) {
            int tag = data.readUnsignedByte();
            tags[i] = tag;
            switch (tag) {
                case UTF8 -> entries[i] = data.readUTF();
                case CLASS, STRING, METHOD_TYPE, MODULE, PACKAGE -> entries[i] = data.readUnsignedShort();
                case FIELDREF, METHODREF, INTERFACE_METHODREF, NAME_AND_TYPE, DYNAMIC, INVOKE_DYNAMIC ->
                        entries[i] = data.readUnsignedShort() << 16 | data.readUnsignedShort();
                case INTEGER, FLOAT -> data.readInt();
                case LONG, DOUBLE -> {
                    data.readLong();
                    i++; // eight-byte constants take two pool slots
                }
                case METHOD_HANDLE -> {
                    data.readUnsignedByte();
                    data.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        data.readUnsignedShort(); // access flags
        data.readUnsignedShort(); // this class
        data.readUnsignedShort(); // super class
        data.skipBytes(2 * data.readUnsignedShort()); // interfaces
        int fields = data.readUnsignedShort();
        for (int i = 0; i < fields; i++) {
            data.skipBytes(6);
            skipAttributes(data);
        }
        ClassFile partial = new ClassFile(tags, entries, List.of());
        List<Method> methods = new ArrayList<>();
        int methodCount = data.readUnsignedShort();
        for (int i = 0; i < methodCount; i++) {
            data.readUnsignedShort(); // access flags
            String name = partial.utf8(data.readUnsignedShort());
            String descriptor = partial.utf8(data.readUnsignedShort());
            byte[] code = new byte[0];
            int[] lines = new int[0];
            int attributes = data.readUnsignedShort();
            for (int a = 0; a < attributes; a++) {
                String attribute = partial.utf8(data.readUnsignedShort());
                int length = data.readInt();
                if (attribute.equals("Code")) {
                    data.readUnsignedShort(); // max stack
                    data.readUnsignedShort(); // max locals
                    code = new byte[data.readInt()];
                    data.readFully(code);
                    data.skipBytes(8 * data.readUnsignedShort()); // exception table
                    lines = partial.lineNumbers(data);
                } else {
                    data.skipBytes(length);
                }
            }
            methods.add(new Method(name, descriptor, code, lines));
        }
        return new ClassFile(tags, entries, List.copyOf(methods));
    }

    List<Method> methods() {
        return methods;
    }

    /** The string constant at {@code index}, or null when that entry is no string constant. */
    String stringConstant(int index) {
        return index > 0 && index < tags.length && tags[index] == STRING ? utf8((Integer) entries[index]) : null;
    }

    /** The method reference at {@code index}, or null when that entry is none. */
    MemberRef methodRef(int index) {
        if (index <= 0 || index >= tags.length || (tags[index] != METHODREF && tags[index] != INTERFACE_METHODREF)) {
            return null;
        }
        int ref = (Integer) entries[index];
        int nameAndType = (Integer) entries[ref & 0xFFFF];
        return new MemberRef(className(ref >>> 16), utf8(nameAndType >>> 16), utf8(nameAndType & 0xFFFF));
    }

    /** The class constant at {@code index} as an internal name, or null when that entry is none. */
    String className(int index) {
        return index > 0 && index < tags.length && tags[index] == CLASS ? utf8((Integer) entries[index]) : null;
    }

    private String utf8(int index) {
        return (String) entries[index];
    }

    /** Reads a Code attribute's attributes, keeping the line-number tables. */
    private int[] lineNumbers(DataInputStream data) throws IOException {
        List<int[]> tables = new ArrayList<>();
        int attributes = data.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
            String attribute = utf8(data.readUnsignedShort());
            int length = data.readInt();
            if (attribute.equals("LineNumberTable")) {
                int[] table = new int[2 * data.readUnsignedShort()];
                for (int i = 0; i < table.length; i++) {
                    table[i] = data.readUnsignedShort();
                }
                tables.add(table);
            } else {
                data.skipBytes(length);
            }
        }
        return tables.stream().flatMapToInt(java.util.Arrays::stream).toArray();
    }

    private static void skipAttributes(DataInputStream data) throws IOException {
        int attributes = data.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
            data.readUnsignedShort();
            data.skipBytes(data.readInt());
        }
    }
}
