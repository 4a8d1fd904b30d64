// Reserved for the AgnesState library; it is filled by later issues (see README.md, "Layout").
