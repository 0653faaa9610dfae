import CompressNIO
import NIOCore

/// Decompresses zlib data (RFC 1950 around RFC 1951 deflate), as PDF's FlateDecode filter
/// stores it, so that `FileInspection` can read what a PDF compresses. zlib itself does the
/// work, through CompressNIO; output stops at `limit` bytes, so a small upload cannot expand
/// into gigabytes.
enum Inflate {
    enum Failure: Error, Equatable {
        /// Not zlib data, or damaged, or cut short.
        case corrupt
        /// More than `limit` bytes would come out.
        case tooLarge
    }

    /// The decompressed bytes and how many input bytes the zlib stream took.
    struct Result {
        var bytes: [UInt8]
        var consumed: Int
    }

    static func zlib(_ input: ArraySlice<UInt8>, limit: Int) throws(Failure) -> Result {
        guard input.count >= 2, limit > 0 else { throw input.count >= 2 ? .tooLarge : .corrupt }
        var buffer = ByteBuffer(bytes: input)
        let start = buffer.readerIndex
        do {
            let output = Array(try buffer.decompress(with: .zlib(), maxSize: limit).readableBytesView)
            // CompressNIO's cap is on what it allocates, which ByteBuffer rounds up: cut at `limit` here.
            guard output.count <= limit else { throw Failure.tooLarge }
            let consumed = buffer.readerIndex - start
            // zlib reports a stream cut short as "needs more input", which CompressNIO passes
            // over: a whole stream ends with the Adler-32 of what it holds, a cut one does not.
            guard consumed >= 6, input.dropFirst(consumed - 4).prefix(4).elementsEqual(adler32BigEndian(output)) else { throw Failure.corrupt }
            return Result(bytes: output, consumed: consumed)
        } catch let error as Failure {
            throw error
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .tooLarge
        } catch {
            throw .corrupt
        }
    }

    /// RFC 1950's checksum, in the byte order the stream stores it.
    static func adler32BigEndian(_ bytes: [UInt8]) -> [UInt8] {
        var a: UInt32 = 1, b: UInt32 = 0
        for chunk in stride(from: 0, to: bytes.count, by: 5552) {
            for byte in bytes[chunk..<min(chunk + 5552, bytes.count)] {
                a += UInt32(byte)
                b += a
            }
            a %= 65521
            b %= 65521
        }
        let sum = b << 16 | a
        return [UInt8(sum >> 24), UInt8(sum >> 16 & 0xFF), UInt8(sum >> 8 & 0xFF), UInt8(sum & 0xFF)]
    }
}
