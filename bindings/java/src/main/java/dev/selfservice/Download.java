package dev.selfservice;

import com.google.gson.JsonObject;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * An open download ({@link Portal#openDownload}): the bytes of a ticket attachment or a document,
 * or of the range of them the request asked for, as an InputStream. Close it (try-with-resources):
 * it holds native resources that nothing else frees.
 *
 * <p>A read the library cannot serve (the file was deleted meanwhile, the store failed, the bytes
 * of a whole-file read do not match its SHA-256) throws {@link PortalException} with the
 * envelope's fields, and every later read throws it again. A read after {@link #close()} throws
 * IOException, as on any closed stream.
 *
 * <p>A download does not need its Portal: it stays readable after the portal is closed. Its
 * methods are synchronized, so sharing one between threads is safe, if rarely useful.
 */
public final class Download extends InputStream {
  /** The most bytes one native read asks for; the native buffer never grows past it. */
  private static final int CHUNK = 1 << 20;

  private final JsonObject info;
  private final long size;
  private final long offset;
  private final long length;

  /** The native handle; null once closed. */
  private Pointer handle;
  /** Where the library writes the bytes, reused by every read; allocated on the first. */
  private Memory buffer;
  private long position;

  /** Takes ownership of `handle`, opened with `data` as the success envelope's data. */
  Download(Pointer handle, JsonObject data) {
    this.handle = Objects.requireNonNull(handle, "handle");
    this.info = data;
    JsonObject range = data.getAsJsonObject("range");
    this.size = range.get("size").getAsLong();
    this.offset = range.get("offset").getAsLong();
    this.length = range.get("length").getAsLong();
  }

  /**
   * A copy of the envelope's data: the method's description of the file (without data_base64),
   * "file": {"name", "content_type", "size", "sha256"} and "range": {"offset", "length", "size"}.
   */
  public JsonObject info() {
    return info.deepCopy();
  }

  /** The bytes of the whole file. */
  public long size() {
    return size;
  }

  /** The byte of the file where the range starts. */
  public long offset() {
    return offset;
  }

  /** The bytes of the range: what the reads deliver in all. */
  public long length() {
    return length;
  }

  /** The bytes of the range read so far: an interrupted download resumes at offset() + position(). */
  public synchronized long position() {
    return position;
  }

  @Override
  public synchronized int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] bytes, int from, int count) throws IOException {
    Objects.checkFromIndexSize(from, count, bytes.length);
    Pointer open = open();
    if (count == 0) {
      return 0;
    }
    if (buffer == null) {
      buffer = new Memory(Math.max(1, Math.min(CHUNK, length)));
    }
    int asked = (int) Math.min(count, buffer.size());
    PointerByReference error = new PointerByReference();
    long got = CApi.LIB.selfservice_download_read(open, buffer, new CApi.SizeT(asked), error);
    if (got < 0) {
      throw new PortalException(Strings.takeEnvelope(error.getValue()));
    }
    if (got == 0) {
      return -1;
    }
    buffer.read(0, bytes, from, (int) got);
    position += got;
    return (int) got;
  }

  /** Copies the rest of the range to `out` in reads of up to 1 MiB; returns how many bytes. */
  @Override
  public synchronized long transferTo(OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    byte[] chunk = new byte[(int) Math.max(1, Math.min(CHUNK, length - position))];
    long total = 0;
    for (int got = read(chunk, 0, chunk.length); got >= 0; got = read(chunk, 0, chunk.length)) {
      out.write(chunk, 0, got);
      total += got;
    }
    return total;
  }

  /** Frees the download, read to its end or not; closing again is a no-op. */
  @Override
  public synchronized void close() {
    if (handle != null) {
      CApi.LIB.selfservice_download_close(handle);
      handle = null;
    }
    if (buffer != null) {
      buffer.close();
      buffer = null;
    }
  }

  private Pointer open() throws IOException {
    if (handle == null) {
      throw new IOException("Download closed");
    }
    return handle;
  }
}
