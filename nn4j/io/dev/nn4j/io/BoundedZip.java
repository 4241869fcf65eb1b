package dev.nn4j.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A zip archive read through {@link ZipFile} with the limits a hostile file needs: an entry count cap, a cap on
 * total declared uncompressed size relative to the file's size, safe unique entry names, and reads that stop at
 * the declared size, so a zip bomb is refused while it is being read and never allocated.
 *
 * <p>ZipFile rather than ZipInputStream: PyTorch writes stored entries with data descriptors, which
 * ZipInputStream cannot read, and the central directory gives every size before any data is touched.
 */
final class BoundedZip implements Closeable {
    /** The most a single entry can be read into: a Java byte array. */
    static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 8;

    private final ZipFile zip;
    private final Map<String, ZipEntry> entries;
    private final long fileSize;

    private BoundedZip(ZipFile zip, Map<String, ZipEntry> entries, long fileSize) {
        this.zip = zip;
        this.entries = entries;
        this.fileSize = fileSize;
    }

    /** Opens {@code path} and checks every central-directory entry against {@code limits}. */
    static BoundedZip open(Path path, TorchLimits limits) {
        long fileSize;
        ZipFile zip;
        try {
            fileSize = Files.size(path);
            zip = new ZipFile(path.toFile());
        } catch (IOException | IllegalArgumentException e) {
            // ZipFile reports a damaged central directory as ZipException (and a few oddities as IAE)
            throw new CheckpointException("not a readable zip archive (" + e.getMessage() + ")", e);
        }
        try {
            return new BoundedZip(zip, checkEntries(zip, fileSize, limits), fileSize);
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    private static Map<String, ZipEntry> checkEntries(ZipFile zip, long fileSize, TorchLimits limits) {
        if (zip.size() > limits.maxEntries()) {
            throw new CheckpointException("the zip has " + zip.size() + " entries; at most " + limits.maxEntries()
                    + " are accepted");
        }
        long cap = limits.maxUncompressed(fileSize);
        long total = 0;
        Map<String, ZipEntry> out = new LinkedHashMap<>();
        try {
            Enumeration<? extends ZipEntry> e = zip.entries();
            while (e.hasMoreElements()) {
                ZipEntry entry = e.nextElement();
                String name = checkName(entry.getName());
                long size = entry.getSize();
                long packed = entry.getCompressedSize();
                if (size < 0 || packed < 0 || packed > fileSize) {
                    throw new CheckpointException("zip entry '" + name + "' has impossible sizes (" + packed
                            + " packed, " + size + " unpacked, in a file of " + fileSize + " bytes)");
                }
                if (entry.getMethod() == ZipEntry.STORED && size != packed) {
                    throw new CheckpointException("stored zip entry '" + name + "' declares " + size
                            + " bytes but occupies " + packed);
                }
                total = size > cap - total ? cap + 1 : total + size;
                if (total > cap) {
                    throw new CheckpointException("zip entries declare more than " + cap + " uncompressed bytes "
                            + "for a " + fileSize + "-byte file (a zip bomb?)");
                }
                if (out.put(name, entry) != null) {
                    throw new CheckpointException("zip entry '" + name + "' appears twice");
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // ZipFile decodes entry names lazily and reports undecodable ones this way
            throw new CheckpointException("damaged zip central directory (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /** Names are only ever looked up, never written to disk, but refusing traversal keeps it that way. */
    private static String checkName(String name) {
        boolean traversal = false;
        for (String part : name.split("/", -1)) {
            traversal |= part.equals("..");
        }
        if (name.isEmpty() || name.startsWith("/") || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0
                || traversal || (name.length() > 1 && name.charAt(1) == ':')) {
            throw new CheckpointException("zip entry name '" + printable(name)
                    + "' is absolute, contains '..' or a backslash, or is empty");
        }
        return name;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    /** Entry names in central-directory order. */
    List<String> names() {
        return List.copyOf(entries.keySet());
    }

    boolean has(String name) {
        return entries.containsKey(name);
    }

    /** Declared uncompressed size of entry {@code name}, which must exist. */
    long size(String name) {
        return entries.get(name).getSize();
    }

    long fileSize() {
        return fileSize;
    }

    /** The whole of entry {@code name}, refused if it inflates to more or fewer bytes than it declares. */
    byte[] read(String name) {
        return read(name, size(name), true);
    }

    /** The first {@code n} bytes of entry {@code name} ({@code n} no more than its declared size). */
    byte[] readPrefix(String name, long n) {
        return read(name, n, n == size(name));
    }

    private byte[] read(String name, long n, boolean whole) {
        ZipEntry entry = entries.get(name);
        if (n > entry.getSize() || n > MAX_ENTRY_BYTES) {
            throw new CheckpointException("zip entry '" + name + "' is too large to read (" + n + " bytes)");
        }
        byte[] out;
        try (InputStream in = zip.getInputStream(entry)) {
            out = in.readNBytes((int) n);
            if (out.length < n) {
                throw new CheckpointException("zip entry '" + name + "' is truncated: " + out.length + " of " + n
                        + " bytes");
            }
            if (whole && in.read() != -1) {
                throw new CheckpointException("zip entry '" + name + "' inflates to more than the " + n
                        + " bytes it declares (a zip bomb?)");
            }
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new CheckpointException("zip entry '" + name + "' cannot be read (" + e.getMessage() + ")", e);
        }
        return out;
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // nothing was written; a failing close of a read-only file loses nothing
        }
    }
}
