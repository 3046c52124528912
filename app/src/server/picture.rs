//! Turning an uploaded file into the picture that is kept: the type is read from the
//! content (never the name or the browser's word), the size is checked before decoding, and
//! whatever was sent becomes a square PNG of [`PICTURE_SIDE`] pixels, so nothing of the
//! original file (metadata, trailing bytes) is ever served back.
//!
//! A small file can describe a huge image (an 8,000 × 8,000 PNG of one colour is a few
//! hundred KiB and ~250 MB decoded), so the decoder refuses, from the header, anything wider
//! or higher than [`MAX_PICTURE_DIMENSION`] or needing more than [`MAX_DECODE_BYTES`]; and
//! decodes run on the blocking pool, at most one per core at a time ([`normalise_bounded`]),
//! so uploads cannot take every core or add up to gigabytes.

use crate::domain::picture::{
    MAX_PICTURE_BYTES, MAX_PICTURE_DIMENSION, PICTURE_SIDE, PictureProblem,
};
use image::{ImageError, ImageFormat, ImageReader, Limits, imageops::FilterType};
use std::{io::Cursor, sync::LazyLock};
use tokio::sync::Semaphore;

/// Memory a decode may take at the most: a 4,096 × 4,096 RGBA image, 64 MiB.
const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;

/// Decodes running at once, in the whole process: one per core (the limit is the machine's,
/// whichever server instance asks).
static DECODES: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// [`normalise`] on the blocking pool, waiting for a free core first. The outer error is a
/// decode that panicked.
pub async fn normalise_bounded(
    file: Vec<u8>,
) -> Result<Result<Vec<u8>, PictureProblem>, tokio::task::JoinError> {
    let _permit = DECODES.acquire().await.expect("the semaphore is never closed");
    tokio::task::spawn_blocking(move || normalise(&file)).await
}

/// The PNG to keep for `file`, or why it is refused. CPU-bound: the server calls it through
/// [`normalise_bounded`].
pub fn normalise(file: &[u8]) -> Result<Vec<u8>, PictureProblem> {
    if file.is_empty() {
        return Err(PictureProblem::Missing);
    }
    if file.len() > MAX_PICTURE_BYTES {
        return Err(PictureProblem::TooLarge);
    }
    let format = image::guess_format(file).map_err(|_| PictureProblem::NotAnImage)?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) {
        return Err(PictureProblem::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(file), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PICTURE_DIMENSION);
    limits.max_image_height = Some(MAX_PICTURE_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        ImageError::Limits(_) => PictureProblem::TooManyPixels,
        _ => PictureProblem::Unreadable,
    })?;
    // Cropped to the middle square, then scaled: faces stay centred and undistorted.
    let square = decoded.resize_to_fill(PICTURE_SIDE, PICTURE_SIDE, FilterType::Lanczos3);
    let mut png = Vec::new();
    square
        .to_rgba8()
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| PictureProblem::Unreadable)?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, RgbImage};

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let img: RgbImage =
            ImageBuffer::from_fn(width, height, |x, _| Rgb([(x % 256) as u8, 80, 160]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn png_jpeg_and_webp_become_a_square_png() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let png = normalise(&encoded(640, 400, format)).unwrap();
            assert_eq!(image::guess_format(&png).unwrap(), ImageFormat::Png, "{format:?}");
            let back = image::load_from_memory(&png).unwrap();
            assert_eq!((back.width(), back.height()), (PICTURE_SIDE, PICTURE_SIDE), "{format:?}");
        }
    }

    #[test]
    fn the_content_decides_not_the_name() {
        assert_eq!(normalise(b"not a picture at all"), Err(PictureProblem::NotAnImage));
        // A BMP header: an image, but not one of the three types taken.
        let bmp = [b"BM".as_slice(), &[0; 60]].concat();
        assert_eq!(normalise(&bmp), Err(PictureProblem::NotAnImage));
        let mut broken = encoded(64, 64, ImageFormat::Png);
        broken.truncate(60);
        assert_eq!(normalise(&broken), Err(PictureProblem::Unreadable));
        assert_eq!(normalise(&[]), Err(PictureProblem::Missing));
    }

    #[test]
    fn size_limits_are_checked_before_decoding() {
        let mut big = encoded(8, 8, ImageFormat::Png);
        big.resize(MAX_PICTURE_BYTES + 1, 0);
        assert_eq!(normalise(&big), Err(PictureProblem::TooLarge));
        // A small file that claims a huge image: refused from its header.
        let wide = encoded(MAX_PICTURE_DIMENSION + 1, 1, ImageFormat::Png);
        assert!(wide.len() < MAX_PICTURE_BYTES);
        assert_eq!(normalise(&wide), Err(PictureProblem::TooManyPixels));
    }
}
