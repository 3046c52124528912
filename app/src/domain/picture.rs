//! Profile pictures: what is accepted, and what a person is told when a file is refused.
//! The problem travels as a short key in the page's address when the upload form posts
//! without JavaScript, so both sides name problems the same way.

use serde::{Deserialize, Serialize};

/// The largest file accepted.
pub const MAX_PICTURE_BYTES: usize = 2 * 1024 * 1024;
/// Width and height, in pixels, of the square picture that is kept.
pub const PICTURE_SIDE: u32 = 256;
/// The largest width or height decoded: bigger images are refused before they are read.
pub const MAX_PICTURE_DIMENSION: u32 = 4_096;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PictureProblem {
    Missing,
    TooLarge,
    NotAnImage,
    Unreadable,
    TooManyPixels,
}

impl PictureProblem {
    pub const ALL: [PictureProblem; 5] =
        [Self::Missing, Self::TooLarge, Self::NotAnImage, Self::Unreadable, Self::TooManyPixels];

    pub fn key(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLarge => "too_large",
            Self::NotAnImage => "not_an_image",
            Self::Unreadable => "unreadable",
            Self::TooManyPixels => "too_many_pixels",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "Choose a picture to upload.",
            Self::TooLarge => "This file is larger than 2 MiB. Choose a smaller picture.",
            Self::NotAnImage => "This file is not a PNG, JPEG or WebP image.",
            Self::Unreadable => "This image could not be read: the file may be damaged.",
            Self::TooManyPixels => {
                "This picture has too many pixels: at most 4,096 wide and 4,096 high. Choose a \
                 smaller picture, or scale it down first."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back() {
        for p in PictureProblem::ALL {
            assert_eq!(PictureProblem::from_key(p.key()), Some(p));
        }
        assert_eq!(PictureProblem::from_key("nonsense"), None);
    }
}
