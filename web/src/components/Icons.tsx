import type { SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

function Svg({ size = 18, children, ...rest }: IconProps) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {children}
    </svg>
  );
}

export const PlayIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M7 4.5v15l12.5-7.5z" fill="currentColor" stroke="none" />
  </Svg>
);

export const StopIcon = (p: IconProps) => (
  <Svg {...p}>
    <rect x="6" y="6" width="12" height="12" rx="2" fill="currentColor" stroke="none" />
  </Svg>
);

export const HeartIcon = ({ filled, ...p }: IconProps & { filled?: boolean }) => (
  <Svg {...p}>
    <path
      d="M12 20.5s-7.5-4.6-9.3-9.2C1.5 8.2 3.5 4.5 7.2 4.5c2 0 3.5 1.1 4.8 2.8 1.3-1.7 2.8-2.8 4.8-2.8 3.7 0 5.7 3.7 4.5 6.8-1.8 4.6-9.3 9.2-9.3 9.2z"
      fill={filled ? 'currentColor' : 'none'}
    />
  </Svg>
);

export const SkipIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M5 5.5v13l9.5-6.5z" fill="currentColor" stroke="none" />
    <path d="M18 5.5v13" />
  </Svg>
);

export const DislikeIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M10 15v4.2a2.3 2.3 0 0 0 2.3 2.3L16 14V3.5H6.6a2 2 0 0 0-2 1.7l-1.3 8.1A1.5 1.5 0 0 0 4.8 15z" />
    <path d="M16 3.5h3a1.7 1.7 0 0 1 1.7 1.7v7.1A1.7 1.7 0 0 1 19 14h-3" />
  </Svg>
);

export const SearchIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="11" cy="11" r="7" />
    <path d="m20 20-3.5-3.5" />
  </Svg>
);

export const CloseIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M6 6l12 12M18 6 6 18" />
  </Svg>
);

export const PlusIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12 5v14M5 12h14" />
  </Svg>
);

export const SeedIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12 21v-8" />
    <path d="M12 13c0-4 3-7 8-7 0 5-3 7-8 7z" />
    <path d="M12 15c0-3-2.5-5.5-7-5.5 0 4 2.5 5.5 7 5.5z" />
  </Svg>
);

export const UsersIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="9" cy="8" r="3.5" />
    <path d="M2.5 20c.6-3.6 3.2-5.5 6.5-5.5s5.9 1.9 6.5 5.5" />
    <path d="M16 4.8a3.5 3.5 0 0 1 0 6.5M18 14.8c2 .7 3.2 2.4 3.5 5.2" />
  </Svg>
);

export const FlameIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12 21c-3.9 0-6.5-2.6-6.5-6.2 0-3.6 2.7-5.6 3.7-8.8 2 1.4 2.8 3 2.8 4.6 1-.7 1.7-2 1.8-3.6 2.7 2 4.7 4.8 4.7 7.8 0 3.6-2.6 6.2-6.5 6.2z" />
  </Svg>
);

export const SparkIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8z" />
    <path d="M19 16l.7 1.8 1.8.7-1.8.7L19 21l-.7-1.8-1.8-.7 1.8-.7z" />
  </Svg>
);

export const CompassIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="12" cy="12" r="9" />
    <path d="m15.5 8.5-2 5-5 2 2-5z" />
  </Svg>
);

export const HistoryIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M3.5 12a8.5 8.5 0 1 0 2.5-6" />
    <path d="M3 4v4h4" />
    <path d="M12 7.5V12l3 2" />
  </Svg>
);

export const ListIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M4 6h11M4 12h11M4 18h7" />
    <circle cx="18.5" cy="17" r="2.5" />
    <path d="M21 17V7l-2 .8" />
  </Svg>
);

export const LogoMark = (p: IconProps) => (
  <Svg {...p} viewBox="0 0 32 32">
    <rect width="32" height="32" rx="9" fill="currentColor" stroke="none" />
    <path d="M8 20.5c3-9 6 3 9-6s4.5-2 7 0" stroke="#0d0f14" strokeWidth={3} />
  </Svg>
);

/** A circle with three arcs: "open in Spotify". */
export const SpotifyIcon = (p: IconProps) => (
  <Svg {...p}>
    <circle cx="12" cy="12" r="9.5" />
    <path d="M7.5 9.4c3.2-1 6.6-.7 9.3.9M8.1 12.4c2.6-.7 5.2-.4 7.4.8M8.7 15.2c2-.5 3.9-.3 5.6.6" />
  </Svg>
);
