//! A profile photo made safe to keep: decoded within limits (a small file that declares a huge
//! picture is refused before its pixels are allocated), turned upright by its EXIF orientation,
//! shrunk, and encoded again as JPEG from the pixels alone — so nothing of the original file
//! survives: no GPS position, no camera serial, no hidden bytes after the image.

use crate::error::StoreError;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

/// The largest side of the photo kept (enough to recognise a face on a phone or in print).
pub const FULL_SIDE: u32 = 1024;
/// The largest side of the small copy shown on records and lists.
pub const SMALL_SIDE: u32 = 160;
/// The largest file taken (as `attachments::MAX_BYTES`).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// A phone camera's picture is at most some 50 megapixels; more is refused undecoded.
const MAX_SIDE: u32 = 12_000;
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// The two JPEG copies kept of a photo.
#[derive(Debug, Clone)]
pub struct Processed {
    pub full: Vec<u8>,
    pub small: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn refused(code: &'static str) -> StoreError {
    StoreError::invalid("photo", code)
}

/// Decode, turn upright, shrink and re-encode an uploaded photo (JPEG, PNG or WebP).
pub fn process(bytes: &[u8]) -> Result<Processed, StoreError> {
    if bytes.is_empty() {
        return Err(refused("err-file-empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(refused("err-file-too-large"));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| refused("err-photo-type"))?;
    if !matches!(reader.format(), Some(image::ImageFormat::Jpeg | image::ImageFormat::Png | image::ImageFormat::WebP)) {
        return Err(refused("err-photo-type"));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| refused("err-photo-unreadable"))?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| refused("err-photo-unreadable"))?;
    img.apply_orientation(orientation);
    if img.width() == 0 || img.height() == 0 {
        return Err(refused("err-photo-unreadable"));
    }
    let full = if img.width() > FULL_SIDE || img.height() > FULL_SIDE { img.thumbnail(FULL_SIDE, FULL_SIDE) } else { img };
    let small = full.thumbnail(SMALL_SIDE, SMALL_SIDE);
    Ok(Processed { width: full.width(), height: full.height(), full: jpeg(&full, 82)?, small: jpeg(&small, 75)? })
}

fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::new();
    // RGB only: JPEG has no alpha, and a grey or paletted picture becomes plain colour.
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&img.to_rgb8())
        .map_err(|e| StoreError::Corrupt(format!("photo encoding: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::png::PngEncoder;
    use image::{ExtendedColorType, ImageEncoder, RgbImage};

    /// A JPEG of `w`×`h` with an EXIF block holding an orientation and a GPS marker.
    fn jpeg_with_exif(w: u32, h: u32, orientation: u8) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, _| if x < w / 2 { image::Rgb([255, 0, 0]) } else { image::Rgb([0, 0, 255]) });
        let mut out = Vec::new();
        let mut enc = JpegEncoder::new_with_quality(&mut out, 90);
        let mut exif = b"II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
        exif.extend_from_slice(&[orientation, 0, 0, 0, 0, 0, 0, 0]);
        exif.extend_from_slice(b"GPSLATITUDE-11.5564");
        enc.set_exif_metadata(exif).unwrap();
        enc.write_image(img.as_raw(), w, h, ExtendedColorType::Rgb8).unwrap();
        out
    }

    #[test]
    fn a_photo_is_turned_upright_shrunk_and_stripped_of_its_metadata() {
        // Orientation 6: the camera was held sideways; shown upright, 300 wide becomes 300 high.
        let raw = jpeg_with_exif(3000, 1500, 6);
        assert!(raw.windows(11).any(|w| w == b"GPSLATITUDE"));
        let p = process(&raw).unwrap();
        assert_eq!((p.width, p.height), (512, 1024), "upright and within the largest side");
        for copy in [&p.full, &p.small] {
            assert!(!copy.windows(11).any(|w| w == b"GPSLATITUDE"), "no location left");
            assert!(!copy.windows(4).any(|w| w == b"Exif"), "no EXIF block at all");
            assert_eq!(&copy[..2], &[0xFF, 0xD8], "a JPEG");
        }
        let small = image::load_from_memory(&p.small).unwrap();
        assert!(small.width() <= SMALL_SIDE && small.height() <= SMALL_SIDE);
        // A small picture is kept at its size.
        let p = process(&jpeg_with_exif(200, 100, 1)).unwrap();
        assert_eq!((p.width, p.height), (200, 100));
    }

    #[test]
    fn anything_but_a_readable_photo_is_refused() {
        let code = |b: &[u8]| match process(b) {
            Err(StoreError::Invalid(e)) => e.errors[0].code,
            other => panic!("{other:?}"),
        };
        assert_eq!(code(b""), "err-file-empty");
        assert_eq!(code(b"%PDF-1.4 not a photo"), "err-photo-type");
        assert_eq!(code(b"GIF89a\x01\0\x01\0"), "err-photo-type");
        // A PNG whose header declares 60000×60000 pixels: refused before allocating them.
        let mut png = Vec::new();
        PngEncoder::new(&mut png).write_image(&[0, 0, 0], 1, 1, ExtendedColorType::Rgb8).unwrap();
        png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(matches!(code(&png), "err-photo-unreadable"));
        // A JPEG cut short.
        let raw = jpeg_with_exif(64, 64, 1);
        assert_eq!(code(&raw[..raw.len() / 3]), "err-photo-unreadable");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Whatever arrives, bytes at random or a real photo with bytes changed: an answer,
        /// never a panic.
        #[test]
        fn hostile_bytes_never_panic(noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
                                     flips in proptest::collection::vec((0usize..4000, proptest::prelude::any::<u8>()), 0..12)) {
            let _ = process(&noise);
            let mut raw = jpeg_with_exif(40, 30, 3);
            for (at, b) in flips {
                let i = at % raw.len();
                raw[i] = b;
            }
            if let Ok(p) = process(&raw) {
                proptest::prop_assert!(p.width <= FULL_SIDE && p.height <= FULL_SIDE);
            }
        }
    }
}
